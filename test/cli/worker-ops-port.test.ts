/**
 * A queue-tier worker (`claypipe start --role worker`) serves no API, yet an
 * orchestrator must probe it: with `server.opsPort` set it answers /healthz,
 * /readyz and /metrics there, and nothing else; with its port taken it stops
 * before sending anything; unset, it opens no port at all. An event-tier
 * router does the same, ready once its bus answers. Real PostgreSQL, Redis
 * and NATS, the Clay emulator in the test process.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../bus/fixtures/nats-server.js";
import {
  connectRedis,
  deleteKeys,
  OwnRedisServer,
  REDIS_URL,
  uniquePrefix,
} from "../clay/fixtures/redis-server.js";
import {
  type ClaypipeProcess,
  killHard,
  startRole,
  startWorker,
  stopGracefully,
} from "../reliability/service-harness.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import { runCli } from "./run-cli.js";

const schema = randomSchema("opsport");
const prefix = uniquePrefix("opsport").replaceAll(":", "-");
const topicPrefix = uniqueTopicPrefix("opsport");
const ENV = {
  CLAYPIPE_PG_URL: DATABASE_URL,
  CLAYPIPE_REDIS_URL: REDIS_URL,
  CB_SECRET: randomBytes(32).toString("hex"),
  API_KEY: randomBytes(16).toString("hex"),
};

let emulator: RunningEmulator;
let dir: string;
let configPath: string;
let eventConfigPath: string;
let worker: ClaypipeProcess | undefined;
let holder: Server | undefined;

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 2000,
    workspaces: [{ id: "main", tables: [{ id: "t_leads", webhooks: [{}] }] }],
  });
  dir = mkdtempSync(join(tmpdir(), "claypipe-ops-port-"));
  configPath = await writeConfig("claypipe.config.yaml", "tier: queue");
  eventConfigPath = await writeConfig(
    "event.config.yaml",
    `tier: event
bus:
  nats: { servers: "${NATS_URL}" }
  topics: { incoming: ${topicPrefix}.incoming, deadLetters: ${topicPrefix}.dlq, enriched: ${topicPrefix}.enriched, leadEvents: ${topicPrefix}.events }`,
  );
});

async function writeConfig(name: string, tier: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(
    path,
    `${tier}
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: ${emulator.webhookUrl("t_leads")}
callbacks:
  baseUrl: http://127.0.0.1:${await freePort()}
  secret: "\${CB_SECRET}"
sources: [ { name: api } ]
server: { port: ${await freePort()}, opsPort: "\${OPS_PORT:-}", apiKeys: [ "\${API_KEY}" ] }
store:
  postgres: { connectionString: "\${CLAYPIPE_PG_URL}", schema: ${schema}, poolSize: 2 }
queue:
  redis: { connectionString: "\${CLAYPIPE_REDIS_URL}" }
  prefix: ${prefix}
sinks:
  - { name: out, type: file, path: ${join(dir, "out.jsonl")} }
routes: { default: [out] }
logLevel: warn
`,
  );
  return path;
}

afterEach(async () => {
  if (worker) await stopGracefully(worker);
  await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  worker = undefined;
  holder = undefined;
});

afterAll(async () => {
  await emulator?.close();
  const admin = await connectAdmin();
  await dropSchema(admin, schema);
  await admin.end();
  const redis = await connectRedis();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await deleteStreams(NATS_URL, topicPrefix);
  rmSync(dir, { recursive: true, force: true });
});

it("answers the probes on its ops port, and serves no API there", async () => {
  const opsPort = await freePort();
  const started = await startWorker(configPath, dir, { ...ENV, OPS_PORT: String(opsPort) });
  worker = started;
  const base = `http://127.0.0.1:${opsPort}`;
  expect(started.readyLine).toContain(`(health and metrics on ${base})`);

  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true });

  // Ready: its store answers and its queues' Redis does.
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ ready: true });

  // Open, as on the API port; the pipeline's gauges come from the worker's own read of the store and Redis.
  const metrics = await fetch(`${base}/metrics`);
  expect(metrics.status).toBe(200);
  const text = await metrics.text();
  expect(text).toContain("claypipe_status_up 1");
  expect(text).toMatch(/claypipe_queue_jobs\{[^}]*workspace="main"/);

  // Only the probes: neither intake, nor the admin API, even with a valid key.
  const auth = { authorization: `Bearer ${ENV.API_KEY}` };
  expect((await fetch(`${base}/v1/status`, { headers: auth })).status).toBe(404);
  expect((await fetch(`${base}/v1/dlq`, { headers: auth })).status).toBe(404);
  const intake = await fetch(`${base}/v1/leads`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ leads: [{ email: "ada@acme.example" }] }),
  });
  expect(intake.status).toBe(404);
});

it("refuses to start when its ops port is in use, before sending anything", async () => {
  const imported = await runCli(
    [
      "import",
      writeLeads("ada@acme.example\ngrace@navy.example"),
      "--source",
      "api",
      "-c",
      configPath,
    ],
    { cwd: dir, env: { ...ENV }, timeoutMs: 30_000 },
  );
  expect(imported.code, imported.stderr).toBe(0);

  const opsPort = await freePort();
  holder = createServer();
  await new Promise<void>((resolve) => holder!.listen(opsPort, "127.0.0.1", resolve));
  const start = await runCli(["start", "--role", "worker", "-c", configPath], {
    cwd: dir,
    env: { ...ENV, OPS_PORT: String(opsPort) },
    timeoutMs: 20_000,
  });
  // Exited on its own, with a failure code and a message that names the key to change.
  expect(start.code).toBe(1);
  expect(start.stderr).toContain(`port ${opsPort} on 127.0.0.1 is in use`);
  expect(start.stderr).toContain("server.opsPort");
  expect(start.stdout).not.toContain("started");

  expect(emulator.control.snapshot().workspaces[0]!.requests.accepted).toBe(0);
  const status = await runCli(["status", "--json", "-c", configPath], { cwd: dir, env: ENV });
  expect(JSON.parse(status.stdout)).toMatchObject({ states: { queued: 2 } });
});

it("opens no port when opsPort is unset", async () => {
  const started = await startWorker(configPath, dir, ENV);
  worker = started;
  expect(started.readyLine).not.toContain("health and metrics");
});

it("an event-tier router answers the probes on its ops port too", async () => {
  const opsPort = await freePort();
  worker = await startRole(eventConfigPath, dir, { ...ENV, OPS_PORT: String(opsPort) }, "router");
  const base = `http://127.0.0.1:${opsPort}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ ready: true });
  const text = await (await fetch(`${base}/metrics`)).text();
  expect(text).toContain("claypipe_status_up 1");
  expect((await fetch(`${base}/v1/status`)).status).toBe(404);
});

function writeLeads(emails: string): string {
  const path = join(dir, "leads.csv");
  writeFileSync(path, `email\n${emails}\n`);
  return path;
}

it("is not ready once its queues' Redis is gone, and still alive", async () => {
  const redis = await OwnRedisServer.start();
  const opsPort = await freePort();
  worker = await startWorker(configPath, dir, {
    ...ENV,
    CLAYPIPE_REDIS_URL: redis.url,
    OPS_PORT: String(opsPort),
  });
  const base = `http://127.0.0.1:${opsPort}`;
  expect((await fetch(`${base}/readyz`)).status).toBe(200);

  await redis.kill();
  try {
    const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: "not_ready" });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  } finally {
    // A graceful stop would wait on the queues' Redis; this test is about the probes only.
    await killHard(worker);
    worker = undefined;
  }
});
