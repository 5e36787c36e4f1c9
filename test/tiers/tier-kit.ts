/**
 * What the tier tests share: cleanups run after each test, the emulated Clay
 * workspace, the queue and event tiers' backends under names of the test's own
 * (a PostgreSQL schema, a Redis prefix, NATS topics), and polling until a
 * condition holds.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import {
  busTopics,
  deleteStreams,
  NATS_URL,
  uniqueTopicPrefix,
} from "../bus/fixtures/nats-server.js";
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
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";

export const API_KEY = "key-tiers";
export const TABLE_ID = "t_leads";

type Cleanup = () => Promise<unknown>;

/** Registers an afterEach that runs the cleanups pushed during the test, last first. */
export function useCleanup(): (step: Cleanup) => void {
  let steps: Cleanup[] = [];
  afterEach(async () => {
    for (const step of steps.reverse()) await step();
    steps = [];
    removeTempDirs();
  }, 30_000);
  return (step) => {
    steps.push(step);
  };
}

/** The emulated workspace "main" with one table, fast (Clay time × 2000); closed after the test. */
export async function startTierEmulator(
  cleanup: (step: Cleanup) => void,
  table: { enrichment?: { notFoundRate: number } } = {},
): Promise<RunningEmulator> {
  const running = await startEmulator({
    timeScale: 2000,
    workspaces: [
      {
        id: "main",
        apiKey: API_KEY,
        rateLimit: { perSecond: 100, burst: 50 },
        tables: [{ id: TABLE_ID, ...table, webhooks: [{}] }],
      },
    ],
  });
  cleanup(() => running.close());
  return running;
}

/** The config's `clay:` for startTierEmulator's workspace: its one table, at the emulator's rate. */
export function tierClay(running: RunningEmulator) {
  return {
    workspaces: [
      {
        name: "main",
        rateLimit: { perSecond: 100, burst: 50 },
        tables: [
          { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
        ],
      },
    ],
  };
}

/**
 * The queue tier's store and Redis, and with `bus` the event tier's NATS topics,
 * under names of the test's own; dropped after the test. Returns the config's sections.
 */
export function tierBackends(
  cleanup: (step: Cleanup) => void,
  purpose: string,
  options: { bus?: boolean } = {},
): Pick<ClaypipeConfigInput, "store" | "queue" | "bus"> & { topicPrefix: string } {
  const schema = randomSchema(purpose);
  const prefix = uniquePrefix(purpose).replaceAll(":", "-");
  const topicPrefix = uniqueTopicPrefix(purpose);
  cleanup(async () => {
    const admin = await connectAdmin();
    await dropSchema(admin, schema);
    await admin.end();
    const redis = await connectRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    if (options.bus) await deleteStreams(NATS_URL, topicPrefix);
  });
  return {
    topicPrefix,
    store: { postgres: { connectionString: DATABASE_URL, schema } },
    queue: { redis: { connectionString: REDIS_URL }, prefix, shutdownGrace: "1s" },
    ...(options.bus && {
      bus: {
        nats: { servers: NATS_URL },
        topics: busTopics(topicPrefix),
      },
    }),
  };
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The settings of a tier with a store, its backends under names of the test's own. */
export function tierSettings(
  cleanup: (step: Cleanup) => void,
  tier: "standard" | "queue" | "event",
  purpose: string,
): Partial<ClaypipeConfigInput> {
  if (tier === "standard")
    return { tier, store: { sqlite: { path: join(makeTempDir(purpose), "claypipe.db") } } };
  const { topicPrefix: _, ...backends } = tierBackends(cleanup, purpose, { bus: tier === "event" });
  return { tier, ...backends };
}

/** A pipeline of the config, started, with the server Clay's callbacks reach; stopped after the test. */
export async function startService(
  cleanup: (step: Cleanup) => void,
  input: ClaypipeConfigInput,
): Promise<{ pipeline: Pipeline; url: string }> {
  const port = await freePort();
  const config = configSchema.parse({
    ...input,
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    // Keys the test gives (the dashboard's) are kept.
    server: { ...input.server, port },
  });
  const pipeline = await createPipeline(config);
  const server = await createServer({ pipeline, config });
  cleanup(() => pipeline.stop());
  cleanup(() => server.close());
  await pipeline.start();
  return { pipeline, url: await server.listen() };
}

/** The records of a JSONL sink file; none while it does not exist. */
export async function readJsonl(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
