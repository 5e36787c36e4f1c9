/**
 * `claypipe init --tier …` ends with "next" steps: each printed command is run
 * here, as a new user would run it, against that tier (the Clay emulator stands
 * in for Clay; the queue tier gets a PostgreSQL schema and Redis prefix of its own).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../bus/fixtures/nats-server.js";
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
import { CLI, runCli } from "./run-cli.js";

const PLACEHOLDER_WEBHOOK =
  "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-REPLACE-ME";
const SECRETS = {
  CLAYPIPE_CALLBACK_SECRET: randomBytes(32).toString("hex"),
  CLAYPIPE_API_KEY: randomBytes(16).toString("hex"),
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  // Every cleanup runs, even after one fails (a service that did not stop cleanly).
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (failure) {
      failures.push(failure);
    }
  }
  if (failures.length > 0) throw failures[0];
});

async function emulator(): Promise<RunningEmulator> {
  const running = await startEmulator({
    timeScale: 2000,
    workspaces: [{ id: "main", tables: [{ id: "t_leads", webhooks: [{}] }] }],
  });
  cleanups.push(() => running.close());
  return running;
}

/** Runs `init`, fills in what step 1 asks for, and returns the printed steps. */
async function init(
  tier: string,
  edit: (text: string) => string,
): Promise<{ dir: string; steps: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-init-next-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const result = await runCli(["init", "--tier", tier], { cwd: dir });
  expect(result.code).toBe(0);
  const file = join(dir, "claypipe.config.yaml");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  writeFileSync(
    join(dir, "leads.csv"),
    "email,first_name\ngrace@navy.example,Grace\nlinus@kernel.example,Linus\n",
  );
  const steps = result.stdout
    .split("\n")
    .map((line) => line.trim().replace(/^\d+\.\s+/, ""))
    .filter((line) => line.startsWith("claypipe ") || line.startsWith("curl "))
    .map((line) => line.replace(/\s+#.*$/, ""));
  return { dir, steps };
}

/** A `claypipe start …` step: resolves once it serves. */
function startStep(
  args: string[],
  dir: string,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (/listening on| started: /.test(line)) resolve(child);
    });
    child.once("exit", (code) =>
      reject(new Error(`${args.join(" ")} exited (${code}):\n${stderr}`)),
    );
  });
}

/** Runs every step in order; `claypipe start` steps keep running. Returns the API's URL. */
async function runSteps(
  steps: string[],
  dir: string,
  env: Record<string, string>,
  port: number,
): Promise<void> {
  for (const step of steps) {
    if (step.startsWith("curl ")) {
      const url = /'(http[^']+)'/.exec(step)![1]!.replace(":8787", `:${port}`);
      const body = /-d '([^']+)'/.exec(step)![1]!;
      const response = await fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${env.CLAYPIPE_API_KEY}`,
          "content-type": "application/json",
        },
        body,
      });
      expect(response.status, step).toBe(202);
      continue;
    }
    const args = step.split(/\s+/).slice(1);
    if (args[0] === "start") {
      await startStep(args, dir, env);
      continue;
    }
    const result = await runCli(args, { cwd: dir, env });
    expect(result.code, `${step}\n${result.stderr}`).toBe(0);
  }
}

async function delivered(port: number, apiKey: string, leads: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const { states } = (await response.json()) as { states: Record<string, number> };
    if ((states.delivered ?? 0) === leads) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ${leads} leads were not delivered`);
}

function serviceEdits(clay: RunningEmulator, port: number): (text: string) => string {
  return (text) =>
    text
      .replace(PLACEHOLDER_WEBHOOK, clay.webhookUrl("t_leads"))
      .replace("https://claypipe.example.com", `http://127.0.0.1:${port}`)
      .replace("host: 0.0.0.0", "host: 127.0.0.1")
      .replace("port: 8787", `port: ${port}`);
}

// Each test starts services and waits for Clay's callbacks: generous on a busy machine.
describe("init's next steps work on the tier it wrote", { timeout: 120_000 }, () => {
  it("direct: send", async () => {
    const clay = await emulator();
    const { dir, steps } = await init("direct", (text) =>
      text.replace(PLACEHOLDER_WEBHOOK, clay.webhookUrl("t_leads")),
    );
    expect(steps).toEqual(["claypipe send leads.csv"]);
    await runSteps(steps, dir, {}, 0);
    expect(clay.control.rows("t_leads")).toHaveLength(2);
  });

  it("standard: start, then import or POST /v1/leads, then status", async () => {
    const clay = await emulator();
    const port = await freePort();
    const { dir, steps } = await init("standard", serviceEdits(clay, port));
    expect(steps.map((step) => step.split(" ").slice(0, 2).join(" "))).toEqual([
      "claypipe start",
      "claypipe import",
      "curl -sS",
      "claypipe status",
    ]);
    await runSteps(steps, dir, SECRETS, port);
    await delivered(port, SECRETS.CLAYPIPE_API_KEY, 3);
  });

  it("queue: an API and two workers deliver every lead once, into PostgreSQL", async () => {
    const clay = await emulator();
    const port = await freePort();
    const schema = randomSchema("init_queue");
    const prefix = uniquePrefix("init-queue").replaceAll(":", "-");
    const admin = await connectAdmin();
    const redis = await connectRedis();
    cleanups.push(async () => {
      await dropSchema(admin, schema);
      await admin.query(`DROP TABLE IF EXISTS ${schema}_hot, ${schema}_all`);
      await admin.end();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    });
    const { dir, steps } = await init("queue", (text) =>
      serviceEdits(
        clay,
        port,
      )(text)
        .replace("schema: claypipe", `schema: ${schema}`)
        .replace("prefix: claypipe", `prefix: ${prefix}`)
        .replace("table: claypipe_hot_leads", `table: ${schema}_hot`)
        .replace("table: claypipe_all_leads", `table: ${schema}_all`),
    );
    const worker = steps.find((step) => step.includes("--role worker"))!;
    expect(worker).toBeDefined();
    const env = { ...SECRETS, DATABASE_URL, REDIS_URL };
    await runSteps([worker, ...steps], dir, env, port);
    await delivered(port, SECRETS.CLAYPIPE_API_KEY, 3);
    // Routes send each lead to one table (hot, else all): one row per person in all.
    const { rows } = await admin.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM ${schema}_hot) + (SELECT count(*) FROM ${schema}_all) AS n`,
    );
    expect(Number(rows[0]!.n)).toBe(3);
  });

  it("event: api, an enricher and a router deliver every lead once, over NATS", async () => {
    const clay = await emulator();
    const port = await freePort();
    const schema = randomSchema("init_event");
    const prefix = uniquePrefix("init-event").replaceAll(":", "-");
    const topics = uniqueTopicPrefix("init-event");
    const admin = await connectAdmin();
    const redis = await connectRedis();
    cleanups.push(async () => {
      await dropSchema(admin, schema);
      await admin.query(`DROP TABLE IF EXISTS ${schema}_hot, ${schema}_all`);
      await admin.end();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await deleteStreams(NATS_URL, topics);
    });
    const { dir, steps } = await init("event", (text) =>
      serviceEdits(
        clay,
        port,
      )(text)
        .replace("schema: claypipe", `schema: ${schema}`)
        .replace("prefix: claypipe", `prefix: ${prefix}`)
        .replace("table: claypipe_hot_leads", `table: ${schema}_hot`)
        .replace("table: claypipe_all_leads", `table: ${schema}_all`)
        .replace("incoming: leads.incoming", `incoming: ${topics}.incoming`)
        .replace("deadLetters: dlq.clay", `deadLetters: ${topics}.dlq`)
        .replace("enriched: enriched.contacts", `enriched: ${topics}.enriched`)
        .replace("leadEvents: claypipe.lead-events", `leadEvents: ${topics}.events`),
    );
    const roles = steps.filter((step) => step.startsWith("claypipe start"));
    expect(roles.map((step) => step.split(" ")[3])).toEqual(["api", "enricher", "router"]);
    const env = { ...SECRETS, DATABASE_URL, REDIS_URL, NATS_URL };
    await runSteps(steps, dir, env, port);
    await delivered(port, SECRETS.CLAYPIPE_API_KEY, 3);
    const { rows } = await admin.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM ${schema}_hot) + (SELECT count(*) FROM ${schema}_all) AS n`,
    );
    expect(Number(rows[0]!.n)).toBe(3);
  });
});
