import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { runCli } from "./run-cli.js";

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  removeTempDirs();
});

function configFor(running: RunningEmulator, webhookCount: number, extra = ""): string {
  const webhooks = Array.from(
    { length: webhookCount },
    (_, i) =>
      `            - url: ${running.webhookUrl("t_leads", i)}\n              submissionLimit: 5\n`,
  ).join("");
  return `tier: direct
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 200, burst: 40 }
      publicApi:
        baseUrl: ${running.publicApiBaseUrl}
        apiKey: \${CLAY_API_KEY}
      tables:
        - name: leads
          id: t_leads
          capacityMargin: 0
          webhooks:
${webhooks}${extra}stateDir: state
logLevel: silent
`;
}

async function emulatorWith(webhooks: number): Promise<RunningEmulator> {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "main",
        apiKey: "key-1",
        rateLimit: { perSecond: 200, burst: 40 },
        tables: [
          {
            id: "t_leads",
            webhooks: Array.from({ length: webhooks }, () => ({ submissionLimit: 5 })),
          },
        ],
      },
    ],
  });
  return emulator;
}

const ENV = { CLAY_API_KEY: "key-1" };

describe("claypipe send", () => {
  it("sends good rows, reports each bad line with its number, and exits 2", async () => {
    const running = await emulatorWith(2);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 2));
    writeFileSync(
      join(dir, "leads.csv"),
      [
        "Email,First Name,Company",
        "ada@acme.example,Ada,Acme",
        "not-an-email,Bob,Acme",
        "grace@navy.example,Grace,Navy",
        '"broken,quote,here',
        "linus@kernel.example,Linus,Kernel",
      ].join("\n"),
    );
    const result = await runCli(["send", "leads.csv"], { cwd: dir, env: ENV });
    expect(result.stderr).toContain('line 3: email: "not-an-email" is not a valid email address');
    expect(result.stderr).toMatch(/line 5: /);
    expect(result.stdout).toMatch(/sent to Clay\s+3/);
    expect(result.stdout).toMatch(/bad lines\s+2/);
    expect(result.code).toBe(2);
    const rows = running.control.rows("t_leads");
    expect(rows.map((row) => row.fields.email).sort()).toEqual([
      "ada@acme.example",
      "grace@navy.example",
      "linus@kernel.example",
    ]);
    expect(rows.every((row) => typeof row.fields.claypipe_id === "string")).toBe(true);
  });

  it("sends nothing a pre-send rule turns away, and counts it apart", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    const rules = `enrichIf:\n  - { name: no_free_mail, when: 'email_domain != "gmail.com"' }\n`;
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1, rules));
    writeFileSync(
      join(dir, "leads.csv"),
      ["Email,Company", "ada@GMAIL.com,Acme", "grace@navy.example,Navy"].join("\n"),
    );
    const result = await runCli(["send", "leads.csv"], { cwd: dir, env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sent to Clay\s+1/);
    expect(result.stdout).toMatch(/skipped by pre-send rules \(no credit\)\s+1/);
    expect(running.control.rows("t_leads").map((row) => row.fields.email)).toEqual([
      "grace@navy.example",
    ]);
    const status = await runCli(["status"], { cwd: dir, env: ENV });
    expect(status.stdout).toMatch(/skipped by pre-send rules \(no credit\)\s+1/);
  });

  it("stops when the webhook pool is spent, and resumes from the line it names after a source is added", async () => {
    const running = await emulatorWith(2);
    const dir = makeTempDir("cli");
    const lines = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ email: `p${i}@example.com` }),
    );
    writeFileSync(join(dir, "leads.jsonl"), `${lines.join("\n")}\n`);

    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    const first = await runCli(["send", "leads.jsonl"], { cwd: dir, env: ENV });
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/sent to Clay\s+5/);
    expect(first.stdout).toContain("stopped: ");
    const resume = /--from-line (\d+)/.exec(first.stdout)?.[1];
    expect(resume).toBe("6");

    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 2));
    const second = await runCli(["send", "leads.jsonl", "--from-line", resume!], {
      cwd: dir,
      env: ENV,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/sent to Clay\s+3/);

    const emails = running.control.rows("t_leads").map((row) => row.fields.email);
    expect(emails).toHaveLength(8);
    expect(new Set(emails).size).toBe(8);
    const webhooks = running.control.snapshot().workspaces[0]!.tables[0]!.webhooks;
    expect(webhooks.map((w) => w.submissions)).toEqual([5, 3]);
  });

  it("refuses a --from-line that is not a whole number of at least 1, before reading", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    writeFileSync(join(dir, "leads.csv"), "email\nada@acme.example\n");
    for (const value of ["abc", "0", "-1", "1.5", ""]) {
      const result = await runCli(["send", "leads.csv", "--from-line", value], {
        cwd: dir,
        env: ENV,
      });
      expect(result.stderr).toContain(
        `--from-line must be a whole number of at least 1 (got "${value}")`,
      );
      expect(result.code).not.toBe(0);
    }
    expect(running.control.rows("t_leads")).toEqual([]);
  });

  it("says when --from-line is past the end of the file, and exits 2", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    writeFileSync(join(dir, "leads.csv"), "email\nada@acme.example\ngrace@navy.example\n");
    const result = await runCli(["send", "leads.csv", "--from-line", "1000"], {
      cwd: dir,
      env: ENV,
    });
    expect(result.stdout).toContain(
      "the file's last record starts on line 3: --from-line 1000 is past its end; nothing was read",
    );
    expect(result.code).toBe(2);
    expect(running.control.rows("t_leads")).toEqual([]);
  });

  it("reads stdin with --format", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    const result = await runCli(["send", "-", "--format", "jsonl"], {
      cwd: dir,
      env: ENV,
      input: '{"email":"a@example.com"}\n{"email":"b@example.com"}\n',
    });
    expect(result.code).toBe(0);
    expect(running.control.rows("t_leads")).toHaveLength(2);
  });

  it("fails before sending anything when the config is invalid, naming the key", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(
      join(dir, "claypipe.config.yaml"),
      configFor(running, 1).replace("perSecond: 200", "perSecond: fast"),
    );
    writeFileSync(join(dir, "leads.jsonl"), '{"email":"a@example.com"}\n');
    const result = await runCli(["send", "leads.jsonl"], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("clay.workspaces[0].rateLimit.perSecond");
    expect(result.stderr).toContain('found "fast"');
    expect(running.control.rows("t_leads")).toHaveLength(0);
  });

  it("says which file is missing", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    const result = await runCli(["send", "nope.csv"], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.csv");
    expect(result.stderr).toContain("→");
  });
});

describe("claypipe enrich", () => {
  it("--wait prints the enriched row read back through the public API", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    const result = await runCli(
      ["enrich", "--email", "Ada@Acme.example", "--field", "company=Acme", "--wait"],
      {
        cwd: dir,
        env: ENV,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const row = JSON.parse(result.stdout);
    expect(row.email).toBe("ada@acme.example");
    expect(["enriched", "not_found"]).toContain(row.status);
    expect(row).toHaveProperty("icp_score");
  });

  it("--wait with a key Clay refuses: one clear error before the lead is sent", async () => {
    const running = await emulatorWith(1);
    const dir = mkdtempSync(join(tmpdir(), "claypipe-cli-"));
    try {
      writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
      const result = await runCli(["enrich", "--email", "ada@acme.example", "--wait"], {
        cwd: dir,
        env: { CLAY_API_KEY: "not-the-key-42" },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `workspace "main": Clay's public API refused the API key (401)`,
      );
      expect(result.stderr).toContain("→ set publicApi.apiKey");
      expect(result.stderr).not.toContain("not-the-key-42");
      expect(running.control.snapshot().workspaces[0]!.requests.accepted).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--wait polls at publicApi.rate: no 429 from a workspace allowing a little more", async () => {
    emulator = await startEmulator({
      timeScale: 10_000,
      workspaces: [
        {
          id: "main",
          apiKey: "key-1",
          rateLimit: { perSecond: 200, burst: 40 },
          // Slower than the poll's own pace (every 2 s): only the rate keeps it from a 429.
          publicApiRateLimit: { perMinute: 25, burst: 1 },
          tables: [
            {
              id: "t_leads",
              enrichment: { minDelayMs: 10_000_000, maxDelayMs: 10_000_000, notFoundRate: 0 },
              webhooks: [{}],
            },
          ],
        },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "claypipe-cli-"));
    try {
      const config = configFor(emulator, 1).replace(
        "      publicApi:\n",
        "      publicApi:\n        rate: { perMinute: 20, burst: 1 }\n",
      );
      expect(config).toContain("perMinute: 20");
      writeFileSync(join(dir, "claypipe.config.yaml"), config);
      const result = await runCli(["enrich", "--email", "ada@acme.example", "--wait"], {
        cwd: dir,
        env: ENV,
      });
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout).status).toBe("enriched");
      const { publicApi } = emulator.control.snapshot().workspaces[0]!;
      expect(publicApi.rateLimited).toBe(0);
      expect(publicApi.answered).toBeGreaterThanOrEqual(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a lead it cannot enrich, saying what to pass", async () => {
    const running = await emulatorWith(1);
    const dir = makeTempDir("cli");
    writeFileSync(join(dir, "claypipe.config.yaml"), configFor(running, 1));
    const result = await runCli(["enrich", "--field", "company=Acme"], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("needs an email");
    expect(result.stderr).toContain("→ pass --email");
  });
});
