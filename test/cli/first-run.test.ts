/** What a new user meets first: --version, output into a pipe that closes early, and `init`'s next steps. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  connectRedis,
  deleteKeys,
  REDIS_URL,
  uniquePrefix,
} from "../clay/fixtures/redis-server.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import { CLI, type CliResult, runCli } from "./run-cli.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-first-run-"));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI with its stdout pipe closed before it writes, as `| head -0` would. */
function runWithClosedStdout(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: 60_000,
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout: "", stderr }));
    child.stdin.end();
  });
}

describe("claypipe --version", () => {
  it.each([["--version"], ["-V"]])("%s prints the package's version", async (flag) => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const result = await runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});

describe("output into a pipe that closes early", () => {
  it.each([
    ["recommend", ["recommend", "--volume", "5000"]],
    ["--help", ["--help"]],
    ["init", ["init", "--tier", "queue", "--output", "ignored.yaml"]],
  ])("%s ends quietly", async (_name, args) => {
    const result = await runWithClosedStdout(args, { cwd: tempDir() });
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.stderr).not.toContain("at ");
    expect(result.code).toBe(0);
  });

  it("status ends quietly", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "--tier", "standard"], { cwd: dir })).code).toBe(0);
    const env = {
      CLAYPIPE_CALLBACK_SECRET: randomBytes(32).toString("hex"),
      CLAYPIPE_API_KEY: randomBytes(16).toString("hex"),
    };
    const result = await runWithClosedStdout(["status"], { cwd: dir, env });
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.code).toBe(0);
  });
});

describe("variables only sinks use", () => {
  it("need not be set for commands that never deliver; start needs them, before it starts", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "--tier", "standard"], { cwd: dir })).code).toBe(0);
    const file = join(dir, "claypipe.config.yaml");
    const perWorkerSinks = `  - name: per-worker
    type: file
    path: out/leads-\${WORKER_NAME}.jsonl
  - name: sales-hook
    type: webhook
    url: https://hooks.example.com/claypipe
    secret: \${SALES_HOOK_SECRET}
`;
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("\nlogLevel:", `${perWorkerSinks}\nlogLevel:`),
    );
    const env = {
      CLAYPIPE_CALLBACK_SECRET: randomBytes(32).toString("hex"),
      CLAYPIPE_API_KEY: randomBytes(16).toString("hex"),
    };
    const status = await runCli(["status"], { cwd: dir, env });
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const dlq = await runCli(["dlq", "list"], { cwd: dir, env });
    expect(dlq.code, dlq.stderr).toBe(0);
    const start = await runCli(["start"], { cwd: dir, env });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(
      "sinks[2].path: the environment variable WORKER_NAME is not set",
    );
    expect(start.stderr).toContain("SALES_HOOK_SECRET is not set");
  });
});

describe("a sink that cannot be built", () => {
  it("stops start with its error, and the process exits instead of holding its connections", async () => {
    const dir = tempDir();
    const schema = randomSchema("bad_sink");
    const prefix = uniquePrefix("bad-sink").replaceAll(":", "-");
    expect((await runCli(["init", "--tier", "queue"], { cwd: dir })).code).toBe(0);
    const file = join(dir, "claypipe.config.yaml");
    const badHook = `  - name: sales-hook
    type: webhook
    url: https://hooks.example.com/claypipe
    secret: \${SALES_HOOK_SECRET}
`;
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replace("schema: claypipe", `schema: ${schema}`)
        .replace("prefix: claypipe", `prefix: ${prefix}`)
        .replace("\nlogLevel:", `${badHook}\nlogLevel:`),
    );
    const env = {
      CLAYPIPE_CALLBACK_SECRET: randomBytes(32).toString("hex"),
      CLAYPIPE_API_KEY: randomBytes(16).toString("hex"),
      DATABASE_URL,
      REDIS_URL,
      SALES_HOOK_SECRET: "not-a-whsec-secret",
    };
    try {
      // A process that hangs is killed before the test's own timeout, so the cleanup below runs.
      const start = await runCli(["start", "--role", "worker"], {
        cwd: dir,
        env,
        timeoutMs: 20_000,
      });
      expect(start.stderr).toContain("webhook signing secret");
      expect(start.code).toBe(1);
    } finally {
      const admin = await connectAdmin();
      await dropSchema(admin, schema);
      await admin.end();
      const redis = await connectRedis();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
