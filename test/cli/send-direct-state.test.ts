/**
 * The direct tier's state as a user meets it through the built CLI: repeats
 * skipped (no credit), an unreachable Clay stopping the run at once and costing
 * no capacity, progress and summary agreeing, `status` and `dlq` on this tier.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { runCli } from "./run-cli.js";

let emulator: RunningEmulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configWith(webhookUrl: string, extra = ""): string {
  return `tier: direct
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 200, burst: 40 }
      tables:
        - name: leads
          id: t_leads
          capacityMargin: 0
          webhooks:
            - url: ${webhookUrl}
              submissionLimit: 100
${extra}stateDir: state
logLevel: silent
`;
}

async function workDir(config: string, leads: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-direct-"));
  dirs.push(dir);
  writeFileSync(join(dir, "claypipe.config.yaml"), config);
  writeFileSync(join(dir, "leads.jsonl"), `${leads.join("\n")}\n`);
  return dir;
}

async function startClay(): Promise<RunningEmulator> {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "main",
        apiKey: "key-1",
        rateLimit: { perSecond: 200, burst: 40 },
        tables: [{ id: "t_leads", webhooks: [{ submissionLimit: 100 }] }],
      },
    ],
  });
  return emulator;
}

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const lead = (email: string) => JSON.stringify({ email });
const count = (text: string, label: string) =>
  Number(new RegExp(`^  ${label}\\s+(\\d+)$`, "m").exec(text)?.[1]);

describe("claypipe send on the direct tier: repeats", () => {
  it("sends a lead once whether it repeats in the file or the file is sent again", async () => {
    const clay = await startClay();
    const dir = await workDir(configWith(clay.webhookUrl("t_leads", 0)), [
      lead("ada@acme.example"),
      lead("grace@navy.example"),
      lead("ADA@acme.example"),
      lead("linus@kernel.example"),
    ]);
    const first = await runCli(["send", "leads.jsonl"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(count(first.stdout, "sent to Clay")).toBe(3);
    expect(count(first.stdout, "repeats skipped \\(no credit\\)")).toBe(1);

    const again = await runCli(["send", "leads.jsonl"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(count(again.stdout, "sent to Clay")).toBe(0);
    expect(count(again.stdout, "repeats skipped \\(no credit\\)")).toBe(4);
    expect(clay.control.rows("t_leads")).toHaveLength(3);

    const forced = await runCli(["send", "leads.jsonl", "--no-dedupe"], { cwd: dir });
    expect(count(forced.stdout, "sent to Clay")).toBe(3);
    expect(clay.control.rows("t_leads")).toHaveLength(6);
  });

  it("enrich skips a lead sent before, and --no-dedupe sends it again", async () => {
    const clay = await startClay();
    const dir = await workDir(configWith(clay.webhookUrl("t_leads", 0)), [
      lead("ada@acme.example"),
    ]);
    expect((await runCli(["send", "leads.jsonl"], { cwd: dir })).code).toBe(0);
    const repeat = await runCli(["enrich", "--email", "Ada@Acme.example"], { cwd: dir });
    expect(repeat.code).toBe(0);
    expect(repeat.stdout).toContain("not sent: the same lead was sent to Clay at");
    expect(repeat.stdout).toContain("repeats skipped (no credit)");
    expect(clay.control.rows("t_leads")).toHaveLength(1);
    const forced = await runCli(["enrich", "--email", "ada@acme.example", "--no-dedupe"], {
      cwd: dir,
    });
    expect(forced.stdout).toMatch(/^sent: claypipe_id /);
    expect(clay.control.rows("t_leads")).toHaveLength(2);
  });

  it("enrich --wait on a repeat reads back the row Clay has, sending nothing", async () => {
    const clay = await startClay();
    const config = configWith(clay.webhookUrl("t_leads", 0)).replace(
      "      tables:\n",
      `      publicApi: { baseUrl: "${clay.publicApiBaseUrl}", apiKey: "\${CLAY_API_KEY}" }\n      tables:\n`,
    );
    const dir = await workDir(config, [lead("ada@acme.example")]);
    const env = { CLAY_API_KEY: "key-1" };
    expect((await runCli(["send", "leads.jsonl"], { cwd: dir, env })).code).toBe(0);
    const repeat = await runCli(["enrich", "--email", "ada@acme.example", "--wait"], {
      cwd: dir,
      env,
    });
    expect(repeat.code).toBe(0);
    expect(repeat.stderr).toContain("its row read back, not sent again (no credit)");
    const row = JSON.parse(repeat.stdout);
    expect(row.email).toBe("ada@acme.example");
    expect(row.claypipe_id).toBe(clay.control.rows("t_leads")[0]!.fields.claypipe_id);
    expect(clay.control.rows("t_leads")).toHaveLength(1);
  });
});

describe("claypipe send on the direct tier: Clay unreachable", () => {
  it("stops at once with one message, counts no capacity, and says where to resume", async () => {
    const port = await closedPort();
    const leads = Array.from({ length: 40 }, (_, i) => lead(`p${i}@example.com`));
    const dir = await workDir(configWith(`http://127.0.0.1:${port}/hooks/w0`), leads);
    const result = await runCli(["send", "leads.jsonl"], { cwd: dir, timeoutMs: 30_000 });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      `stopped: cannot reach Clay at 127.0.0.1:${port}: connection refused; nothing more was sent; resume with --from-line 1`,
    );
    expect(count(result.stdout, "sent to Clay")).toBe(0);
    expect(result.stderr).not.toContain("failed: ");

    const status = await runCli(["status", "--json"], { cwd: dir });
    expect(status.code).toBe(0);
    const { capacity } = JSON.parse(status.stdout);
    expect(capacity[0].pool.table.used).toBe(0);
    expect(capacity[0].pool.webhooks[0].used).toBe(0);
  });
});

describe("claypipe send on the direct tier: a webhook URL Clay does not know", () => {
  it("says it once as a config error, stops, and counts no capacity", async () => {
    const clay = await startClay();
    const leads = Array.from({ length: 40 }, (_, i) => lead(`p${i}@example.com`));
    const config = configWith(`${clay.webhookUrl("t_leads", 0)}-nope`).replace(
      "logLevel: silent",
      "logLevel: info",
    );
    const dir = await workDir(config, leads);
    const result = await runCli(["send", "leads.jsonl"], { cwd: dir, timeoutMs: 30_000 });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      /stopped: no usable webhook source [^\n]*; nothing more was sent; resume with --from-line 1/,
    );
    expect(count(result.stdout, "sent to Clay")).toBe(0);
    expect(result.stderr).not.toContain("rejected");
    const errors = result.stderr.split("\n").filter((line) => line.includes("is unusable"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("clay.workspaces[].tables[].webhooks[0].url");
    expect(clay.control.rows("t_leads")).toHaveLength(0);

    const status = await runCli(["status", "--json"], { cwd: dir });
    const { capacity } = JSON.parse(status.stdout);
    expect(capacity[0].pool.table.used).toBe(0);
    expect(capacity[0].pool.webhooks[0].used).toBe(0);
  });
});

describe("claypipe send on the direct tier: Clay failing", () => {
  it("stops once the breaker opens on 5xx answers, instead of trying every row to the end", async () => {
    const clay = await startClay();
    clay.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 503 });
    const leads = Array.from({ length: 40 }, (_, i) => lead(`p${i}@example.com`));
    const dir = await workDir(
      configWith(
        clay.webhookUrl("t_leads", 0),
        "sender: { initialBackoff: 20ms, maxBackoff: 50ms }\n",
      ),
      leads,
    );
    const result = await runCli(["send", "leads.jsonl"], { cwd: dir, timeoutMs: 30_000 });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      /stopped: Clay at 127\.0\.0\.1:\d+ keeps failing: Clay answered 503[^\n]*; nothing more was sent; resume with --from-line \d+/,
    );
    expect(count(result.stdout, "read")).toBeLessThan(40);
  });
});

describe("claypipe send on the direct tier: progress and summary", () => {
  it("names the same things the same way, with the same numbers at the end", async () => {
    const clay = await startClay();
    const dir = await workDir(configWith(clay.webhookUrl("t_leads", 0)), [
      lead("ada@acme.example"),
      lead("not-an-email"),
      lead("grace@navy.example"),
      lead("ada@acme.example"),
      "{broken",
      lead("linus@kernel.example"),
    ]);
    const result = await runCli(["send", "leads.jsonl"], { cwd: dir });
    expect(result.code).toBe(2);
    const finalProgress = result.stderr.trim().split("\n").at(-1)!;
    const inProgress = (label: string) =>
      Number(new RegExp(`(?:^| · )${label} (\\d+)`).exec(finalProgress)?.[1] ?? 0);
    const progress = {
      read: Number(/^read (\d+)\//.exec(finalProgress)?.[1]),
      sent: inProgress("sent to Clay"),
      repeats: inProgress("repeats skipped \\(no credit\\)"),
      notSent: inProgress("not sent"),
    };
    const summary = {
      read: count(result.stdout, "read"),
      sent: count(result.stdout, "sent to Clay"),
      repeats: count(result.stdout, "repeats skipped \\(no credit\\)"),
      notSent: count(result.stdout, "not sent"),
    };
    expect(summary).toEqual({ read: 6, sent: 3, repeats: 1, notSent: 2 });
    expect(progress).toEqual(summary);
  });
});

describe("claypipe status and dlq on the direct tier", () => {
  it("status shows capacity left, the last run and the repeats skipped; --json too", async () => {
    const clay = await startClay();
    const dir = await workDir(configWith(clay.webhookUrl("t_leads", 0)), [
      lead("ada@acme.example"),
      lead("ada@acme.example"),
      lead("grace@navy.example"),
    ]);
    await runCli(["send", "leads.jsonl"], { cwd: dir });
    const text = await runCli(["status"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(text.stdout).toContain("tier: direct");
    expect(text.stdout).toMatch(/main\/leads\s+49998 rows; submissions per webhook 98/);
    expect(text.stdout).toMatch(/last run: claypipe send to main\/leads, finished /);
    expect(text.stdout).toMatch(/repeats skipped \(no credit\)\s+1/);

    const json = JSON.parse((await runCli(["status", "--json"], { cwd: dir })).stdout);
    expect(json.tier).toBe("direct");
    expect(json.capacity[0].pool.table.remaining).toBe(49_998);
    expect(json.history.lastRun).toMatchObject({ read: 3, sent: 2, repeats: 1, notSent: 0 });
    expect(json.dedupe.remembered).toBe(2);
  });

  it("dlq answers plainly that the direct tier keeps none, and what to do instead", async () => {
    const dir = await workDir(configWith("http://127.0.0.1:9/hooks/w0"), []);
    const result = await runCli(["dlq", "list"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the direct tier keeps no dead-letter queue");
    expect(result.stderr).toContain("--from-line");
    expect(result.stderr).not.toContain("createDirectPipeline");
  });
});
