/**
 * The live workers of a queue-tier pipeline, as the dashboard lists them: an
 * API process and a worker sharing the store each beat into it with their
 * role, machine, process id and probes URL; a worker that stops gracefully
 * leaves the list at once, and one killed -9 drops out once it misses three
 * beats. Real PostgreSQL and Redis, the Clay emulator in the test process.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
  type WorkerInfo,
} from "../../src/index.js";
import { ALIVE_MS, BEAT_MS } from "../../src/pipeline/worker-beats.js";
import type { PipelineRole } from "../../src/tiers/pipeline-role.js";
import { killHard, startWorker } from "../reliability/service-harness.js";
import { makeTempDir } from "../temp-dirs.js";
import {
  startService,
  startTierEmulator,
  TABLE_ID,
  tierBackends,
  tierClay,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();

async function queueSettings(purpose: string): Promise<ClaypipeConfigInput> {
  const running = await startTierEmulator(cleanup);
  const { topicPrefix: _, ...backends } = tierBackends(cleanup, purpose);
  return {
    tier: "queue",
    clay: tierClay(running),
    callbacks: {
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      secret: randomBytes(32).toString("hex"),
    },
    server: { port: await freePort(), opsPort: await freePort() },
    ...backends,
    sinks: [{ name: "out", type: "file", path: join(makeTempDir(purpose), "out.jsonl") }],
    routes: { default: ["out"] },
    logLevel: "silent",
  };
}

/** A pipeline of `role`, listening where `claypipe start` would have it listen, then started. */
async function startProcess(
  settings: ClaypipeConfigInput,
  role: PipelineRole,
): Promise<{ pipeline: Pipeline; url: string }> {
  const config = configSchema.parse(settings);
  const pipeline = await createPipeline(config, { role });
  const server =
    role === "api"
      ? await createServer({ pipeline, config })
      : await createServer({
          pipeline,
          config,
          serves: { intake: false, callbacks: false, admin: false },
          portKey: "opsPort",
        });
  cleanup(() => pipeline.stop());
  cleanup(() => server.close());
  const url = await server.listen();
  await pipeline.start({ opsUrl: url });
  return { pipeline, url };
}

const roles = (workers: WorkerInfo[]) => workers.map((worker) => worker.role).sort();

describe("the live workers of a queue-tier pipeline", () => {
  it("lists the API process and a worker, each with its probes URL, and forgets the worker once it stops", async () => {
    const settings = await queueSettings("workers");
    const api = await startProcess(settings, "api");
    const worker = await startProcess(settings, "worker");

    await until("both processes listed", async () => (await api.pipeline.workers()).length === 2);
    const listed = await api.pipeline.workers();
    // The most recently started first.
    expect(listed).toEqual([
      {
        id: expect.any(String),
        role: "worker",
        host: hostname(),
        pid: process.pid,
        tier: "queue",
        opsUrl: worker.url,
        startedAt: expect.any(Number),
        seenAt: expect.any(Number),
      },
      expect.objectContaining({ role: "api", opsUrl: api.url }),
    ]);
    expect(listed[0]!.id).not.toBe(listed[1]!.id);
    // The worker reads the same list from the shared store.
    expect(roles(await worker.pipeline.workers())).toEqual(["api", "worker"]);
    // Its probes answer where the list says.
    expect((await fetch(`${listed[0]!.opsUrl}/healthz`)).status).toBe(200);

    await worker.pipeline.stop();
    expect(roles(await api.pipeline.workers())).toEqual(["api"]);
  });

  it("drops a worker killed -9 once it misses three beats", async () => {
    const settings = await queueSettings("killed");
    const api = await startProcess(settings, "api");
    const dir = makeTempDir("killed-worker");
    const configPath = join(dir, "claypipe.config.yaml");
    // JSON is YAML: the CLI reads the same settings, its secrets from the environment.
    const env = {
      CB_SECRET: settings.callbacks!.secret,
      PG_URL: settings.store!.postgres!.connectionString,
      QUEUE_REDIS_URL: settings.queue!.redis.connectionString,
    };
    const fromEnv = {
      ...settings,
      callbacks: { ...settings.callbacks!, secret: `\${CB_SECRET}` },
      store: { postgres: { ...settings.store!.postgres!, connectionString: `\${PG_URL}` } },
      queue: { ...settings.queue!, redis: { connectionString: `\${QUEUE_REDIS_URL}` } },
    };
    writeFileSync(configPath, JSON.stringify(fromEnv));
    const worker = await startWorker(configPath, dir, env);
    cleanup(() => killHard(worker));
    const opsUrl = `http://127.0.0.1:${settings.server?.opsPort}`;

    await until("the worker process listed", async () =>
      (await api.pipeline.workers()).some((listed) => listed.pid === worker.child.pid),
    );
    expect((await api.pipeline.workers()).find((listed) => listed.role === "worker")).toMatchObject(
      { pid: worker.child.pid, opsUrl, host: hostname() },
    );

    await killHard(worker);
    const killedAt = Date.now();
    // Still listed right after: a killed process cannot say it left.
    expect(roles(await api.pipeline.workers())).toEqual(["api", "worker"]);
    await until(
      "the killed worker aged out",
      async () => (await api.pipeline.workers()).every((listed) => listed.role !== "worker"),
      ALIVE_MS + 2 * BEAT_MS,
    );
    // Not before its last beat was three beats old.
    expect(Date.now() - killedAt).toBeGreaterThan(ALIVE_MS - BEAT_MS);
    expect(roles(await api.pipeline.workers())).toEqual(["api"]);
  }, 60_000);

  it("the standard tier lists its one process, as role all", async () => {
    const running = await startTierEmulator(cleanup);
    const { pipeline } = await startService(cleanup, {
      ...tierSettings(cleanup, "standard", "one-process"),
      clay: {
        workspaces: [
          {
            name: "main",
            tables: [
              { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
            ],
          },
        ],
      },
      logLevel: "silent",
    });
    await until("the process listed", async () => (await pipeline.workers()).length === 1);
    expect(await pipeline.workers()).toEqual([
      expect.objectContaining({ role: "all", tier: "standard", pid: process.pid }),
    ]);
  });
});
