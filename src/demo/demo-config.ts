/**
 * The demo's pipeline: one emulated workspace, three routes (hot, nurture,
 * default) into file sinks, a daily credit cap, callbacks to the demo's own
 * server. Written as config, as a user would write it; the queue tier's is the
 * same with PostgreSQL and Redis as its store and transport, the event tier's
 * with NATS JetStream as its transport.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../config/schema.js";
import type { RunningEmulator } from "../emulator/index.js";
import type { EventDemoBus } from "./event-demo-bus.js";
import type { QueueDemoBackends } from "./queue-demo-backends.js";

export const DEMO_WORKSPACE = "demo";
export const DEMO_TABLE_ID = "t_demo_leads";
export const DEMO_API_KEY = "demo-public-api-key";
export const DEMO_INTAKE_KEY = randomBytes(16).toString("hex");

export function demoConfig(
  emulator: RunningEmulator,
  dir: string,
  port: number,
  queue?: QueueDemoBackends,
  bus?: EventDemoBus,
): ClaypipeConfig {
  return configSchema.parse({
    tier: bus ? "event" : queue ? "queue" : "standard",
    clay: {
      workspaces: [
        {
          name: DEMO_WORKSPACE,
          rateLimit: { perSecond: 10, burst: 20 },
          credits: { daily: { data: 5000 } },
          publicApi: { baseUrl: emulator.publicApiBaseUrl, apiKey: DEMO_API_KEY },
          tables: [
            {
              name: "leads",
              id: DEMO_TABLE_ID,
              webhooks: [
                { url: emulator.webhookUrl(DEMO_TABLE_ID, 0) },
                { url: emulator.webhookUrl(DEMO_TABLE_ID, 1) },
              ],
            },
          ],
        },
      ],
    },
    callbacks: {
      baseUrl: `http://127.0.0.1:${port}`,
      secret: randomBytes(32).toString("hex"),
      deadline: "2m",
    },
    sources: [
      { name: "web-form", priority: 0 },
      { name: "csv-backfill", priority: 10 },
    ],
    server: { port, apiKeys: [DEMO_INTAKE_KEY] },
    store: queue
      ? { postgres: { connectionString: queue.databaseUrl, schema: queue.schema, poolSize: 4 } }
      : { sqlite: { path: join(dir, "claypipe.db") } },
    ...(queue && {
      queue: { redis: { connectionString: queue.redisUrl }, prefix: queue.prefix },
    }),
    ...(bus && { bus: { nats: { servers: bus.servers }, topics: bus.topics } }),
    routes: {
      mode: "first",
      rules: [
        { name: "hot", when: "icp_score >= 80 and work_email", to: ["hot-leads"] },
        { name: "nurture", when: "icp_score >= 50", to: ["nurture"] },
      ],
      default: ["archive"],
    },
    sinks: [
      { name: "hot-leads", type: "file", path: join(dir, "hot-leads.jsonl") },
      { name: "nurture", type: "file", path: join(dir, "nurture.jsonl") },
      { name: "archive", type: "file", path: join(dir, "archive.csv"), format: "csv" },
    ],
    logLevel: "silent",
  });
}
