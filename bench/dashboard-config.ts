/**
 * The pipeline the dashboard benchmark seeds and serves: two workspaces with
 * three tables, four sources and two sinks, on SQLite (standard tier) or
 * PostgreSQL (queue tier, API role). Clay is never called: the pipeline is
 * not started, so the seeded store stays as seeded while the views are timed.
 */
import { type ClaypipeConfig, configSchema } from "../src/config/schema.js";

export type StoreKind = "sqlite" | "postgres";

export const BENCH_KEY = "bench-dashboard-key-0123456789";

export const PG_URL =
  process.env.BENCH_PG_URL ?? `postgres://${process.env.PGUSER || "postgres"}@127.0.0.1:5432/test`;

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Where leads go: workspace, table, and the webhook the senders would use. */
export const TABLES = [
  { workspace: "acme", table: "inbound", webhook: "http://127.0.0.1:9/acme-inbound" },
  { workspace: "acme", table: "outbound", webhook: "http://127.0.0.1:9/acme-outbound" },
  { workspace: "acme-eu", table: "eu", webhook: "http://127.0.0.1:9/acme-eu" },
] as const;

export const SOURCES = ["api", "web-form", "csv", "hubspot"] as const;

export const SINKS = ["crm", "warehouse"] as const;

export interface BenchStore {
  kind: StoreKind;
  /** The SQLite file, or the PostgreSQL schema. */
  place: string;
}

export function benchConfig(store: BenchStore, port: number, stateDir: string): ClaypipeConfig {
  const workspaces = [...new Set(TABLES.map((t) => t.workspace))].map((name) => ({
    name,
    credits: { daily: { actions: 60_000 }, monthly: { actions: 1_500_000 } },
    tables: TABLES.filter((t) => t.workspace === name).map((t) => ({
      name: t.table,
      webhooks: [{ url: t.webhook }],
    })),
  }));
  return configSchema.parse({
    tier: store.kind === "sqlite" ? "standard" : "queue",
    clay: { workspaces },
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: "s".repeat(40) },
    sources: SOURCES.map((name) => ({ name })),
    enrichIf: [{ name: "no-free-mail", when: 'email_domain != "gmail.com"' }],
    server: { host: "127.0.0.1", port, apiKeys: [BENCH_KEY] },
    store:
      store.kind === "sqlite"
        ? { sqlite: { path: store.place } }
        : { postgres: { connectionString: PG_URL, schema: store.place } },
    ...(store.kind === "postgres"
      ? {
          queue: {
            redis: { connectionString: REDIS_URL },
            prefix: `bench-${store.place.replaceAll("_", "-")}`,
          },
        }
      : {}),
    routes: { default: [...SINKS] },
    sinks: SINKS.map((name) => ({ name, type: "file", path: `${stateDir}/${name}.jsonl` })),
    stateDir,
    logLevel: "silent",
  });
}
