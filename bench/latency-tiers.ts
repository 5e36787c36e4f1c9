/**
 * The tiers the latency benchmark runs, each as its services run it: the
 * standard tier as one process on SQLite; the queue tier (PostgreSQL + Redis)
 * and the event tier (NATS JetStream + PostgreSQL) as an API pipeline with its
 * server and one worker pipeline beside it (in this process, but sharing
 * nothing but the store, queue and bus, as two processes would). Clay is
 * reached through the latency probe on both legs; the sink is the probe.
 * `close()` stops everything and drops the schema, keys and streams.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../src/config/schema.js";
import { createLogger } from "../src/logging/create-logger.js";
import type { Pipeline } from "../src/pipeline/pipeline-api.js";
import { createServer } from "../src/server/create-server.js";
import { createPipeline } from "../src/tiers/create-pipeline.js";
import {
  busTopics,
  deleteStreams,
  NATS_URL,
  uniqueTopicPrefix,
} from "../test/bus/fixtures/nats-server.js";
import type { LatencyProbe } from "./latency-probe.js";
import { DATABASE_URL, openBenchServices, REDIS_URL } from "./queue-bench-services.js";

export type TierName = "standard" | "queue" | "event";

export interface RunningTier {
  /** The API server's URL. */
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

export async function startLatencyTier(
  tier: TierName,
  probe: LatencyProbe,
  emulatorWebhook: string,
): Promise<RunningTier> {
  const dir = mkdtempSync(join(tmpdir(), `claypipe-bench-latency-${tier}-`));
  const cleanups: Array<() => Promise<unknown>> = [
    async () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    const apiKey = randomBytes(16).toString("hex");
    const backends = await tierBackends(tier, dir, cleanups);
    const config: ClaypipeConfig = configSchema.parse({
      tier,
      clay: {
        workspaces: [
          {
            name: tier,
            rateLimit: { perSecond: 100, burst: 100 },
            tables: [{ name: "leads", webhooks: [{ url: `${probe.url}/webhook/${tier}` }] }],
          },
        ],
      },
      callbacks: {
        baseUrl: `${probe.url}/cb/${tier}`,
        secret: randomBytes(32).toString("hex"),
      },
      server: { port: 0, apiKeys: [apiKey] },
      ...backends,
      routes: { default: ["out"] },
      sinks: [
        {
          name: "out",
          type: "webhook",
          url: `${probe.url}/sink/${tier}`,
          secret: `whsec_${randomBytes(32).toString("base64")}`,
          ratePerSecond: 1000,
        },
      ],
      stateDir: join(dir, "state"),
      logLevel: "warn",
    });
    const logger = createLogger("warn");
    const pipelines: Pipeline[] = [];
    const open = async (role: "all" | "api" | "worker") => {
      const pipeline = await createPipeline(config, { role, logger });
      pipelines.push(pipeline);
      await pipeline.start();
      return pipeline;
    };
    const api = await open(tier === "standard" ? "all" : "api");
    const server = createServer({ pipeline: api, config, logger });
    const url = await server.listen();
    probe.route(tier, { webhook: emulatorWebhook, server: url });
    if (tier !== "standard") await open("worker");
    cleanups.push(async () => {
      await server.close();
      for (const pipeline of pipelines) await pipeline.stop();
    });
    return { url, apiKey, close: () => runAll(cleanups) };
  } catch (error) {
    await runAll(cleanups);
    throw error;
  }
}

async function tierBackends(
  tier: TierName,
  dir: string,
  cleanups: Array<() => Promise<unknown>>,
): Promise<Record<string, unknown>> {
  if (tier === "standard") return { store: { sqlite: { path: join(dir, "claypipe.db") } } };
  const services = await openBenchServices(`lat${tier}`);
  cleanups.push(() => services.cleanup());
  const shared = {
    store: { postgres: { connectionString: DATABASE_URL, schema: services.schema } },
    queue: { redis: { connectionString: REDIS_URL }, prefix: services.prefix, shutdownGrace: "1s" },
  };
  if (tier === "queue") return shared;
  const topicPrefix = uniqueTopicPrefix("latency");
  cleanups.push(() => deleteStreams(NATS_URL, topicPrefix));
  return {
    ...shared,
    bus: {
      nats: { servers: NATS_URL },
      topics: busTopics(topicPrefix),
    },
  };
}

/** Runs every cleanup, last first, even when one fails. */
async function runAll(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
