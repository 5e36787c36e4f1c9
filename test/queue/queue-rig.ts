/**
 * The queue tier for real, in one test process: a PostgreSQL schema and a
 * Redis key prefix of the test's own, the Clay emulator, an API pipeline with
 * its HTTP server (intake and Clay's callbacks), and any number of worker
 * pipelines sharing the store and the queues, delivering to a file sink.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../../src/config/schema.js";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { Logger } from "../../src/logging/create-logger.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import type { LeadView, Pipeline } from "../../src/pipeline/pipeline-api.js";
import { type ClaypipeServer, createServer } from "../../src/server/create-server.js";
import { createPipeline } from "../../src/tiers/create-pipeline.js";
import type { PipelineRole } from "../../src/tiers/pipeline-role.js";
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

export const TABLE_ID = "t_queue";
export const SINK_FILE = "delivered.jsonl";

export interface QueueRigOptions {
  /** Config overrides (sender, breaker, sources, queue…), merged at the top level. */
  config?: Record<string, unknown>;
  /** The workspace rate limit, at Clay and in the config. @defaultValue 200/s burst 100 */
  rateLimit?: { perSecond: number; burst: number };
  /** Overrides of the config's workspace (credits, costEstimate). */
  workspace?: Record<string, unknown>;
  /** Overrides of the `queue` block (lockDuration, shutdownGrace…). */
  queue?: Record<string, unknown>;
  /** Redis for the queues (a test's own server for outages). @defaultValue the shared one */
  redisUrl?: string;
}

export interface QueueRig {
  config: ClaypipeConfig;
  emulator: RunningEmulator;
  api: Pipeline;
  server: ClaypipeServer;
  /** Starts a worker pipeline (role worker) sharing the store and queues. */
  startWorker(logger?: Logger): Promise<Pipeline>;
  /** How many of `ids` are in each state now. */
  states(ids: string[]): Promise<Record<string, number>>;
  /** Polls until every id is delivered or dead; returns their views. */
  waitForAll(ids: string[], timeoutMs?: number): Promise<LeadView[]>;
  sinkRecords(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startQueueRig(options: QueueRigOptions = {}): Promise<QueueRig> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-queue-"));
  const schema = randomSchema("queue");
  const prefix = uniquePrefix("queue").replaceAll(":", "-");
  const rateLimit = options.rateLimit ?? { perSecond: 200, burst: 100 };
  const emulator = await startEmulator({
    timeScale: 1000,
    workspaces: [
      {
        id: "ws",
        rateLimit,
        // Clay's HTTP API column posts 10 rows/s by default; tests need not wait for it.
        tables: [
          {
            id: TABLE_ID,
            webhooks: [{}],
            httpApiColumn: { rateLimit: { requests: 500, perMs: 1000 } },
          },
        ],
      },
    ],
  });
  const port = await freePort();
  const config = configSchema.parse({
    tier: "queue",
    clay: {
      workspaces: [
        {
          name: "ws",
          rateLimit,
          tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl(TABLE_ID) }] }],
          ...options.workspace,
        },
      ],
    },
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: "q".repeat(40) },
    server: { port, apiKeys: ["queue-test-key-0123456789"] },
    store: { postgres: { connectionString: DATABASE_URL, schema, poolSize: 4 } },
    queue: {
      redis: { connectionString: options.redisUrl ?? REDIS_URL },
      prefix,
      lockDuration: "3s",
      ...options.queue,
    },
    routes: { default: ["out"] },
    sinks: [{ name: "out", type: "file", path: join(dir, SINK_FILE) }],
    stateDir: join(dir, "state"),
    logLevel: "silent",
    ...options.config,
  });
  const pipelines: Pipeline[] = [];
  const open = async (role: PipelineRole, logger: Logger = silentLogger()) => {
    const pipeline = await createPipeline(config, { role, logger });
    pipelines.push(pipeline);
    await pipeline.start();
    return pipeline;
  };
  const api = await open("api");
  const server = createServer({ pipeline: api, config });
  await server.listen();

  return {
    config,
    emulator,
    api,
    server,
    startWorker: (logger) => open("worker", logger),
    async states(ids) {
      const counts: Record<string, number> = {};
      for (const id of ids) {
        const state = (await api.getLead(id))!.lead.state;
        counts[state] = (counts[state] ?? 0) + 1;
      }
      return counts;
    },
    async waitForAll(ids, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const views = await Promise.all(ids.map(async (id) => (await api.getLead(id))!));
        const open = views.filter((view) => !["delivered", "dead"].includes(view.lead.state));
        if (open.length === 0) return views;
        if (Date.now() > deadline) {
          const states = open.map((view) => view.lead.state);
          throw new Error(`${open.length} leads still open: ${[...new Set(states)].join(", ")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    sinkRecords() {
      try {
        return readFileSync(join(dir, SINK_FILE), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
    async close() {
      await server.close();
      for (const pipeline of pipelines) await pipeline.stop();
      await emulator.close();
      const admin = await connectAdmin();
      await dropSchema(admin, schema);
      await admin.end();
      const redis = await connectRedis();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
