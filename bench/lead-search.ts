/**
 * The dashboard's lead searches over 1,000,000 leads, in each store: how long
 * each `leads.list` the Leads and Waiting views make takes (median and worst
 * of a few runs), and the plan the store picks for it.
 *
 *   npx tsx bench/lead-search.ts
 *   BENCH_LEADS=200000 BENCH_STORES=sqlite npx tsx bench/lead-search.ts
 *   BENCH_PG_URL=postgres://me@db:5432/scratch npx tsx bench/lead-search.ts
 *
 * The leads are written straight into the tables (one INSERT … SELECT), not
 * through admission: what is measured is reading them back. Over 30 days:
 * 90% delivered, 5% dead, 2% deferred, 1% awaiting a callback (half of them
 * past their deadline), the rest queued; sources api 80%, web 15%, csv 5%.
 * No ANALYZE is run, as claypipe runs none. PostgreSQL uses a throwaway
 * schema of BENCH_PG_URL (default: database `test` on 127.0.0.1), dropped after.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { LeadListQuery } from "../src/store/lead-store.js";
import { createPostgresStore } from "../src/store/postgres/postgres-store.js";
import { openSqlite } from "../src/store/sqlite/sqlite-driver.js";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { Store } from "../src/store/store.js";

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const STORES = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",");
const PG_URL =
  process.env.BENCH_PG_URL ?? `postgres://${process.env.PGUSER || "postgres"}@127.0.0.1:5432/test`;
const T0 = 1_760_000_000_000;
const SPAN = 30 * 86_400_000;
const NOW = T0 + SPAN;
const RUNS = 5;

/** The searches the views make; `sql` is what EXPLAIN is asked about. */
const SEARCHES: Array<[string, LeadListQuery]> = [
  ["first page, no filter", { limit: 50 }],
  [
    "dead, one week",
    {
      states: ["dead"],
      createdAfter: T0 + 7 * 86_400_000,
      createdBefore: T0 + 14 * 86_400_000,
      limit: 50,
    },
  ],
  [
    "delivered, one day",
    {
      states: ["delivered"],
      createdAfter: T0 + 86_400_000,
      createdBefore: T0 + 2 * 86_400_000,
      limit: 50,
    },
  ],
  ["deferred, all time", { states: ["deferred"], limit: 50 }],
  [
    "source web, one week",
    {
      source: "web",
      createdAfter: T0 + 7 * 86_400_000,
      createdBefore: T0 + 14 * 86_400_000,
      limit: 50,
    },
  ],
  ["source csv + dead (none)", { source: "csv", states: ["dead"], limit: 50 }],
  ["source api + deferred", { source: "api", states: ["deferred"], limit: 50 }],
  ["source api + received (none)", { source: "api", states: ["received"], limit: 50 }],
  ["email", { identityKey: "email:p123456@x.io", limit: 50 }],
  ["lead id", { ids: ["lead-0000777777"], limit: 50 }],
  ["overdue callbacks", { callbackDeadlineBefore: NOW, limit: 50 }],
  [
    "company contains, delivered (10k scan)",
    { states: ["delivered"], match: { field: "company", text: "co 777" }, limit: 50 },
  ],
];

const SQLITE_SEED = `
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${LEADS - 1})
  INSERT INTO leads (id, source, workspace, table_name, identity_key, fields, state, reason, priority,
    attempt, available_at, callback_deadline, result, routes, created_at, updated_at)
  SELECT printf('lead-%010d', i),
    CASE WHEN i % 20 < 16 THEN 'api' WHEN i % 20 < 19 THEN 'web' ELSE 'csv' END,
    'main', 'people', 'email:p' || i || '@x.io',
    json_object('email', 'p' || i || '@x.io', 'company', 'Co ' || (i % 1000)),
    ${STATE_SQL()},
    NULL, 0, 1, 0,
    CASE WHEN i % 100 = 99 THEN ${NOW} + (CASE WHEN i % 200 = 99 THEN -60000 ELSE 60000 END) END,
    NULL, '[]',
    ${T0} + (i * ${SPAN / LEADS}), ${T0} + (i * ${SPAN / LEADS}) + 1000
  FROM n`;

const PG_SEED = `
  INSERT INTO leads (id, source, workspace, table_name, identity_key, fields, state, reason, priority,
    attempt, available_at, callback_deadline, result, routes, created_at, updated_at)
  SELECT 'lead-' || lpad(i::text, 10, '0'),
    CASE WHEN i % 20 < 16 THEN 'api' WHEN i % 20 < 19 THEN 'web' ELSE 'csv' END,
    'main', 'people', 'email:p' || i || '@x.io',
    json_build_object('email', 'p' || i || '@x.io', 'company', 'Co ' || (i % 1000)),
    ${STATE_SQL()},
    NULL, 0, 1, 0,
    CASE WHEN i % 100 = 99 THEN ${NOW} + (CASE WHEN i % 200 = 99 THEN -60000 ELSE 60000 END) END,
    NULL, '[]',
    ${T0} + (i::bigint * ${Math.floor(SPAN / LEADS)}), ${T0} + (i::bigint * ${Math.floor(SPAN / LEADS)}) + 1000
  FROM generate_series(0, ${LEADS - 1}) AS i`;

function STATE_SQL(): string {
  return `CASE WHEN i % 100 < 90 THEN 'delivered' WHEN i % 100 < 95 THEN 'dead'
    WHEN i % 100 < 97 THEN 'deferred' WHEN i % 100 = 97 THEN 'queued' WHEN i % 100 = 98 THEN 'queued'
    ELSE 'awaiting_callback' END`;
}

async function timeSearches(
  label: string,
  store: Store,
  explain: (query: LeadListQuery) => Promise<string>,
) {
  console.log(`\n${label}: ${LEADS.toLocaleString("en-US")} leads`);
  for (const [name, query] of SEARCHES) {
    const times: number[] = [];
    let found = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const page = await store.leads.list(query);
      times.push(performance.now() - started);
      found = page.leads.length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!.toFixed(1);
    const worst = times.at(-1)!.toFixed(1);
    console.log(
      `  ${name.padEnd(40)} ${median.padStart(7)} ms median, ${worst.padStart(7)} ms worst, ${found} leads`,
    );
    console.log(`    plan: ${await explain(query)}`);
  }
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-lead-search-"));
  const path = join(dir, "claypipe.db");
  try {
    await (await createSqliteStore({ path })).close();
    const db = openSqlite(path, {});
    db.exec("PRAGMA synchronous = OFF");
    const started = performance.now();
    db.exec(SQLITE_SEED);
    console.log(`sqlite: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    db.close();
    const store = await createSqliteStore({ path });
    const plans = openSqlite(path, { readonly: true });
    await timeSearches("sqlite", store, async (query) => {
      const sql = sqliteShape(query);
      return plans
        .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => row.detail)
        .join("; ");
    });
    plans.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The statement the SQLite adapter makes for the query, with its values written in (for EXPLAIN). */
function sqliteShape(query: LeadListQuery): string {
  const terms: string[] = [];
  if (query.states) terms.push(`state = '${query.states[0]}'`);
  if (query.ids) terms.push(`id IN (SELECT value FROM json_each('${JSON.stringify(query.ids)}'))`);
  if (query.identityKey) terms.push(`identity_key = '${query.identityKey}'`);
  if (query.callbackDeadlineBefore) {
    terms.push(
      `state = 'awaiting_callback' AND callback_deadline < ${query.callbackDeadlineBefore}`,
    );
  }
  if (query.source) terms.push(`source = '${query.source}'`);
  if (query.createdAfter) terms.push(`created_at >= ${query.createdAfter}`);
  if (query.createdBefore) terms.push(`created_at < ${query.createdBefore}`);
  const limit = query.match ? 10_000 : 51;
  return `SELECT * FROM leads WHERE ${terms.join(" AND ") || "1"} ORDER BY created_at, id LIMIT ${limit}`;
}

async function postgres(): Promise<void> {
  const schema = `bench_lead_search_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await (await createPostgresStore({ connectionString: PG_URL, schema })).close();
    const started = performance.now();
    await admin.query(`SET search_path TO ${schema}`);
    await admin.query(PG_SEED);
    // Autovacuum keeps statistics on a live table; a fresh bulk load has none until it runs.
    await admin.query(`VACUUM ANALYZE ${schema}.leads`);
    console.log(`postgres: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const store = await createPostgresStore({ connectionString: PG_URL, schema });
    await timeSearches("postgres", store, async (query) => {
      const { rows } = await admin.query<{ "QUERY PLAN": string }>(
        `EXPLAIN ${postgresShape(query)}`,
      );
      return rows.map((row) => row["QUERY PLAN"].trim()).join(" | ");
    });
    await store.close();
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

function postgresShape(query: LeadListQuery): string {
  const terms: string[] = [];
  if (query.states) terms.push(`state = '${query.states[0]}'`);
  if (query.ids) terms.push(`id = ANY('{${query.ids.join(",")}}'::text[])`);
  if (query.identityKey) terms.push(`identity_key = '${query.identityKey}'`);
  if (query.callbackDeadlineBefore) {
    terms.push(
      `state = 'awaiting_callback' AND callback_deadline < ${query.callbackDeadlineBefore}`,
    );
  }
  if (query.source) terms.push(`source = '${query.source}'`);
  if (query.createdAfter) terms.push(`created_at >= ${query.createdAfter}`);
  if (query.createdBefore) terms.push(`created_at < ${query.createdBefore}`);
  const limit = query.match ? 10_000 : 51;
  return `SELECT * FROM leads WHERE ${terms.join(" AND ") || "true"} ORDER BY created_at, id LIMIT ${limit}`;
}

if (STORES.includes("sqlite")) await sqlite();
if (STORES.includes("postgres")) await postgres();
