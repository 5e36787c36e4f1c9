/**
 * The demo's pipeline: one emulated workspace, routes (job change, hot,
 * nurture, default, skipped) into file sinks, a pre-send rule that skips
 * free-mail addresses, a refresh schedule, a daily credit cap, callbacks to
 * the demo's own server. Written as config, as a user would write it; the queue tier's is the
 * same with PostgreSQL and Redis as its store and transport, the event tier's
 * with NATS JetStream as its transport.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../config/schema.js";
import type { RunningEmulator } from "../emulator/index.js";
import type { EventDemoBus } from "./event-demo-bus.js";
import type { QueueDemoBackends } from "./queue-demo-backends.js";
import { FREE_MAIL_DOMAINS } from "./sample-leads.js";

export const DEMO_WORKSPACE = "demo";
export const DEMO_TABLE_ID = "t_demo_leads";
/** The leads table dedupes on email, as many Clay tables do: refreshes go to a sibling without it. */
export const DEMO_REFRESH_TABLE_ID = "t_demo_refresh";
export const DEMO_REFRESH_SCHEDULE = "demo-refresh";
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
            {
              name: "leads-refresh",
              id: DEMO_REFRESH_TABLE_ID,
              webhooks: [{ url: emulator.webhookUrl(DEMO_REFRESH_TABLE_ID, 0) }],
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
    // No credit on a personal address: Clay finds no work email or company behind it.
    enrichIf: [
      { name: "work-email", when: `email_domain not in ${JSON.stringify(FREE_MAIL_DOMAINS)}` },
    ],
    // The demo renews results a few seconds old; a real schedule would say olderThan: 90d.
    refresh: [
      {
        name: DEMO_REFRESH_SCHEDULE,
        schedule: "0 3 * * 1",
        olderThan: "1s",
        where: "icp_score >= 50",
        sendTo: "leads-refresh",
        maxPerRun: 20,
      },
    ],
    routes: {
      mode: "first",
      rules: [
        { name: "job-change", when: "changed.company_domain", to: ["job-changes"] },
        { name: "hot", when: "icp_score >= 80 and work_email", to: ["hot-leads"] },
        { name: "nurture", when: "icp_score >= 50", to: ["nurture"] },
        { name: "skipped", when: "true", on: ["skipped"], to: ["skipped"] },
      ],
      default: ["archive"],
    },
    sinks: [
      { name: "job-changes", type: "file", path: join(dir, "job-changes.jsonl") },
      { name: "hot-leads", type: "file", path: join(dir, "hot-leads.jsonl") },
      { name: "nurture", type: "file", path: join(dir, "nurture.jsonl") },
      { name: "archive", type: "file", path: join(dir, "archive.csv"), format: "csv" },
      { name: "skipped", type: "file", path: join(dir, "skipped.jsonl") },
    ],
    logLevel: "silent",
  });
}
