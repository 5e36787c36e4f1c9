/**
 * Fills a PostgreSQL store with the seed plan, in a schema of its own. The
 * store is created through createPostgresStore, so its tables, indexes and
 * migrations are the real ones; the rows then go in as one multi-row INSERT …
 * SELECT FROM unnest(arrays) per table for each 10,000 leads, one transaction
 * per batch (synchronous_commit off: a seed, not a durability test).
 */
import pg from "pg";
import { createPostgresStore } from "../src/store/postgres/index.js";
import { PG_URL } from "./dashboard-config.js";
import { type SeedLead, seedLeads } from "./dashboard-seed-plan.js";
import { countersOf } from "./dashboard-seed-sqlite.js";
import { type SeedTotals, tallyBatch } from "./dashboard-seed-totals.js";

export async function seedPostgres(
  schema: string,
  count: number,
  now: number,
): Promise<SeedTotals> {
  await (await createPostgresStore({ connectionString: PG_URL, schema })).close();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query("SET synchronous_commit TO off");
    const totals = new Map<string, number>();
    let delivered = 0;
    for (const batch of seedLeads(count, now)) {
      await client.query("BEGIN");
      await insertLeads(client, batch);
      await insertEvents(client, batch);
      await insertDeliveries(client, batch);
      await insertSaved(client, batch);
      await client.query("COMMIT");
      delivered += tallyBatch(batch, totals);
    }
    for (const [key, value] of countersOf(totals)) {
      await client.query(
        `INSERT INTO capacity_counters (key, count) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET count = excluded.count`,
        [key, value],
      );
    }
    await client.query("SELECT setval('sink_deliveries_delivered_total', $1 + 1, false)", [
      delivered,
    ]);
    // Autovacuum would have passed over a store filled over 30 days: its visibility map and
    // statistics are what the planner sees in production.
    for (const table of ["leads", "lead_events", "sink_deliveries", "credits_saved"]) {
      await client.query(`VACUUM (ANALYZE) ${table}`);
    }
    return { delivered, sent: totals };
  } finally {
    await client.end();
  }
}

/** Column arrays of `rows`, one per name, for unnest. */
function columns<T>(rows: readonly T[], pick: Array<(row: T) => unknown>): unknown[][] {
  return pick.map((column) => rows.map(column));
}

function insertLeads(client: pg.Client, leads: SeedLead[]) {
  return client.query(
    `INSERT INTO leads (id, source, workspace, table_name, identity_key, fields, state, reason,
       priority, attempt, available_at, callback_deadline, duplicate_of, result, routes,
       created_at, updated_at, admitted_state, admitted_reason)
     SELECT id, source, workspace, table_name, identity_key, fields::json, state, reason,
       priority, attempt, available_at, callback_deadline, duplicate_of, result::json,
       routes::json, created_at, updated_at, admitted_state, admitted_reason
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::int[], $10::int[], $11::bigint[], $12::bigint[], $13::text[],
       $14::text[], $15::text[], $16::bigint[], $17::bigint[], $18::text[], $19::text[])
       AS t (id, source, workspace, table_name, identity_key, fields, state, reason, priority,
       attempt, available_at, callback_deadline, duplicate_of, result, routes, created_at,
       updated_at, admitted_state, admitted_reason)`,
    columns(leads, [
      (l) => l.id,
      (l) => l.source,
      (l) => l.workspace,
      (l) => l.table,
      (l) => l.identityKey,
      (l) => l.fields,
      (l) => l.state,
      (l) => l.reason,
      (l) => l.priority,
      (l) => l.attempt,
      (l) => l.availableAt,
      (l) => l.callbackDeadline,
      (l) => l.duplicateOf,
      (l) => l.result,
      (l) => l.routes,
      (l) => l.createdAt,
      (l) => l.updatedAt,
      (l) => l.admittedState,
      (l) => (l.admittedState === "queued" ? null : l.reason),
    ]),
  );
}

function insertEvents(client: pg.Client, leads: SeedLead[]) {
  const events = leads.flatMap((lead) => lead.events.map((event) => ({ lead, event })));
  return client.query(
    `INSERT INTO lead_events (lead_id, at, from_state, to_state, reason)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])`,
    columns(events, [
      (e) => e.lead.id,
      (e) => e.event.at,
      (e) => e.event.from,
      (e) => e.event.to,
      (e) => e.event.reason,
    ]),
  );
}

function insertDeliveries(client: pg.Client, leads: SeedLead[]) {
  const deliveries = leads.flatMap((lead) => lead.deliveries.map((d) => ({ lead, d })));
  return client.query(
    `INSERT INTO sink_deliveries (lead_id, sink, route, state, attempts, last_error,
       available_at, created_at, updated_at)
     SELECT lead_id, sink, 'default', state, attempts, last_error, at, at, at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[])
       AS t (lead_id, sink, state, attempts, last_error, at)`,
    columns(deliveries, [
      (x) => x.lead.id,
      (x) => x.d.sink,
      (x) => x.d.state,
      (x) => x.d.attempts,
      (x) => x.d.lastError,
      (x) => x.d.at,
    ]),
  );
}

function insertSaved(client: pg.Client, leads: SeedLead[]) {
  const duplicates = leads.filter((lead) => lead.state === "duplicate");
  return client.query(
    `INSERT INTO credits_saved (lead_id, actions_milli, data_milli, at)
     SELECT id, 1000, 4000, at FROM unnest($1::text[], $2::bigint[]) AS t (id, at)`,
    columns(duplicates, [(l) => l.id, (l) => l.createdAt]),
  );
}
