/**
 * `claypipe import` as a user runs it: the built CLI on a standard-tier config
 * with a temp SQLite store. No emulator: importing only admits leads.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, type CliResult, runCli } from "../../cli/run-cli.js";
import { numberedCsv } from "./import-fixture.js";

const ENV = { CB_SECRET: randomBytes(32).toString("hex") };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(tier = "standard"): { dir: string; run: (...args: string[]) => Promise<CliResult> } {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-import-cli-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "claypipe.config.yaml"),
    `tier: ${tier}
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/never-sent
callbacks:
  baseUrl: http://127.0.0.1:9
  secret: "\${CB_SECRET}"
sources:
  - { name: web }
  - { name: csv, priority: 40 }
store: { sqlite: { path: claypipe.db } }
logLevel: warn
`,
  );
  return { dir, run: (...args) => runCli(args, { cwd: dir, env: ENV }) };
}

async function states(
  run: (...args: string[]) => Promise<CliResult>,
): Promise<Record<string, number>> {
  const status = await run("status", "--json");
  expect(status.code).toBe(0);
  return JSON.parse(status.stdout).states;
}

describe("claypipe import", () => {
  it("admits the good lines, lists the bad ones, writes the report and exits 2; a second run has nothing to do", async () => {
    const { dir, run } = setup();
    writeFileSync(
      join(dir, "leads.csv"),
      "email,first_name\nada@acme.example,Ada\nnot-an-email,Bad\ngrace@navy.example,Grace\nADA@acme.example,Ada\n",
    );
    const result = await run("import", "leads.csv", "--source", "csv");
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/read\s+4/);
    expect(result.stdout).toMatch(/admitted, queued to send\s+2/);
    expect(result.stdout).toMatch(/admitted as duplicates \(no credit\)\s+1/);
    expect(result.stdout).toMatch(/bad lines\s+1/);
    expect(result.stdout).toContain(join(dir, "leads.csv.rejected.csv"));
    expect(result.stdout).toContain("(`claypipe start`) sends them");
    expect(result.stderr).toContain('line 3: email: "not-an-email" is not a valid email address');
    expect(readFileSync(join(dir, "leads.csv.rejected.csv"), "utf8")).toContain(
      '3,"email: ""not-an-email"" is not a valid email address"',
    );
    expect(await states(run)).toMatchObject({ queued: 2, duplicate: 1 });

    const again = await run("import", "leads.csv", "--source", "csv");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('imported into source "csv" completely');
    expect(again.stdout).toContain("whole file: 4 read, 2 queued, 1 duplicates, 1 bad lines");
    expect(await states(run)).toMatchObject({ queued: 2, duplicate: 1 });
  });

  it("imports the same file again into another store, whose config shares the folder", async () => {
    const { dir, run } = setup();
    const other = join(dir, "other.yaml");
    writeFileSync(
      other,
      readFileSync(join(dir, "claypipe.config.yaml"), "utf8").replace(
        "path: claypipe.db",
        "path: other.db",
      ),
    );
    writeFileSync(join(dir, "leads.csv"), "email\nada@acme.example\ngrace@navy.example\n");
    expect((await run("import", "leads.csv", "-s", "csv")).code).toBe(0);
    const second = await run("import", "leads.csv", "-s", "csv", "-c", other);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain("completely");
    expect(await states(run)).toMatchObject({ queued: 2 });
    const otherStatus = await run("status", "--json", "-c", other);
    expect(JSON.parse(otherStatus.stdout).states).toMatchObject({ queued: 2 });
    const again = await run("import", "leads.csv", "-s", "csv", "-c", other);
    expect(again.stderr).toContain('imported into source "csv" completely');
  });

  it("Ctrl-C stops after the batch in flight with exit 3; the same command resumes and admits every lead once", async () => {
    const { dir, run } = setup();
    writeFileSync(join(dir, "leads.csv"), numberedCsv(20_000));
    const child = spawn(
      process.execPath,
      [CLI, "import", "leads.csv", "-s", "csv", "--batch", "50"],
      {
        cwd: dir,
        env: { ...process.env, ...ENV },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    // The first progress line comes after the first committed batch.
    child.stderr.on("data", (chunk) => {
      if (stderr === "") child.kill("SIGINT");
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(3);
    expect(stderr).toContain("stopping after the rows in flight");
    const stoppedAt = Number(/stopped after line (\d+)/.exec(stdout)?.[1]);
    expect(stoppedAt).toBeGreaterThan(1);
    expect(stoppedAt).toBeLessThan(20_001);
    expect(existsSync(join(dir, "leads.csv.rejected.csv"))).toBe(false);

    const resumed = await run("import", "leads.csv", "-s", "csv", "--batch", "50");
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming after line ${stoppedAt}`);
    expect(resumed.stdout).toMatch(new RegExp(`read\\s+${20_001 - stoppedAt}\\n`));
    expect(await states(run)).toMatchObject({ queued: 20_000, duplicate: 0 });
  });

  it("refuses the direct tier, an unknown source and a bad --batch, each with what to do instead", async () => {
    const direct = setup("direct");
    writeFileSync(join(direct.dir, "leads.csv"), "email\nada@acme.example\n");
    const refused = await direct.run("import", "leads.csv", "--source", "csv");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("claypipe send <file>");

    const { dir, run } = setup();
    writeFileSync(join(dir, "leads.csv"), "email\nada@acme.example\n");
    const unknown = await run("import", "leads.csv", "--source", "crm");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no intake source "crm"');
    expect(unknown.stderr).toContain("web, csv");
    const batch = await run("import", "leads.csv", "--source", "csv", "--batch", "0");
    expect(batch.code).toBe(1);
    expect(batch.stderr).toContain("1 to 10000");
    const missing = await run("import", "leads.csv");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--source");
  });
});
