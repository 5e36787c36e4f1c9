/**
 * Seeds a store for the dashboard benchmark (dashboard-seed-plan.ts says what
 * it holds): a SQLite file in a temp folder, or a PostgreSQL schema of its
 * own. On its own it seeds one store, says how long that took and leaves it
 * for a look (remove it afterwards):
 *
 *   npx tsx bench/dashboard-seed.ts --store sqlite --leads 1000000
 *   npx tsx bench/dashboard-seed.ts --store postgres --leads 100000
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { type BenchStore, PG_URL, type StoreKind } from "./dashboard-config.js";
import { seedPostgres } from "./dashboard-seed-postgres.js";
import { seedSqlite } from "./dashboard-seed-sqlite.js";

export interface SeededStore extends BenchStore {
  leads: number;
  seconds: number;
  /** A folder for this store's state (and the SQLite file). */
  dir: string;
  remove(): Promise<void>;
}

export async function seedStore(kind: StoreKind, leads: number, now: number): Promise<SeededStore> {
  const dir = mkdtempSync(join(tmpdir(), `claypipe-bench-dashboard-${kind}-`));
  const started = performance.now();
  if (kind === "sqlite") {
    const place = join(dir, "claypipe.db");
    await seedSqlite(place, leads, now);
    return {
      kind,
      place,
      leads,
      dir,
      seconds: (performance.now() - started) / 1000,
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const place = `claypipe_bench_dashboard_${randomBytes(4).toString("hex")}`;
  await seedPostgres(place, leads, now);
  return {
    kind,
    place,
    leads,
    dir,
    seconds: (performance.now() - started) / 1000,
    async remove() {
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${place} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { store: { type: "string", default: "sqlite" }, leads: { type: "string" } },
  });
  const kind = values.store as StoreKind;
  if (kind !== "sqlite" && kind !== "postgres") throw new Error("--store is sqlite or postgres");
  const leads = Number(values.leads ?? 1_000_000);
  const seeded = await seedStore(kind, leads, Date.now());
  // The folder holds a pipeline's state when one runs on the store; a PostgreSQL store needs none here.
  if (kind === "postgres") rmSync(seeded.dir, { recursive: true, force: true });
  const rate = Math.round(leads / seeded.seconds).toLocaleString("en-US");
  console.log(`${leads} leads into ${kind} in ${seeded.seconds.toFixed(1)} s (${rate} leads/s)`);
  console.log(`store: ${seeded.place} — remove it when done`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
