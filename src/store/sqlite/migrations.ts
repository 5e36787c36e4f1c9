/**
 * Versioned schema migrations for the SQLite store. Each migration runs once,
 * in its own transaction, and is recorded in `schema_migrations`; a database
 * written by a newer claypipe is refused rather than guessed at.
 */
import { ClaypipeError } from "../../core/errors.js";
import type { Migration } from "../migration.js";
import { type SqliteDatabase, writeTransaction } from "./open-database.js";

// Credits are stored in thousandths (integers) so sums never drift: 0.1 + 0.2 stays 0.3.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE leads (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        workspace TEXT NOT NULL,
        table_name TEXT NOT NULL,
        identity_key TEXT NOT NULL,
        fields TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        priority INTEGER NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        available_at INTEGER NOT NULL,
        callback_deadline INTEGER,
        duplicate_of TEXT,
        result TEXT,
        routes TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX leads_state_available ON leads (state, available_at, created_at, id);
      CREATE INDEX leads_claim_order ON leads (state, priority, available_at, created_at, id);
      CREATE INDEX leads_state_deadline ON leads (state, callback_deadline, created_at, id);
      CREATE INDEX leads_identity ON leads (identity_key, workspace, created_at);
      CREATE INDEX leads_created ON leads (created_at, id);
      CREATE INDEX leads_duplicate_of ON leads (duplicate_of) WHERE duplicate_of IS NOT NULL;

      CREATE TABLE lead_events (
        id INTEGER PRIMARY KEY,
        lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT
      );
      CREATE INDEX lead_events_lead ON lead_events (lead_id, id);

      CREATE TABLE callback_inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lead_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        body TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        processed_at INTEGER
      );
      CREATE INDEX callback_inbox_unprocessed ON callback_inbox (id) WHERE processed_at IS NULL;

      CREATE TABLE credit_reservations (
        id INTEGER PRIMARY KEY,
        lead_id TEXT NOT NULL,
        status TEXT NOT NULL,
        actions_milli INTEGER NOT NULL,
        data_milli INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX credit_reservations_lead ON credit_reservations (lead_id, id);

      CREATE TABLE credit_reservation_caps (
        reservation_id INTEGER NOT NULL REFERENCES credit_reservations (id) ON DELETE CASCADE,
        scope TEXT NOT NULL,
        window_key TEXT NOT NULL,
        PRIMARY KEY (reservation_id, scope, window_key)
      );

      CREATE TABLE credit_totals (
        scope TEXT NOT NULL,
        window_key TEXT NOT NULL,
        actions_milli INTEGER NOT NULL DEFAULT 0,
        data_milli INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, window_key)
      );

      CREATE TABLE credits_saved (
        lead_id TEXT PRIMARY KEY,
        actions_milli INTEGER NOT NULL,
        data_milli INTEGER NOT NULL,
        at INTEGER NOT NULL
      );

      CREATE TABLE capacity_counters (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL
      );

      CREATE TABLE sink_deliveries (
        lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        sink TEXT NOT NULL,
        route TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        available_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (lead_id, sink)
      );
      CREATE INDEX sink_deliveries_due ON sink_deliveries (sink, state, available_at, created_at, lead_id);
    `,
  },
  {
    version: 2,
    name: "admission on the lead row",
    // A lead's first two history steps (received, then queued or duplicate) are read from the
    // lead row instead of two lead_events rows, so an admission writes one row and one entry
    // per index for each lead; leads admitted before keep theirs in lead_events (admitted_state
    // NULL). Only leads awaiting a callback have a deadline to watch: the rest leave that index
    // (its columns kept, so the planner still picks it for the deadline query).
    sql: `
      ALTER TABLE leads ADD COLUMN admitted_state TEXT;
      ALTER TABLE leads ADD COLUMN admitted_reason TEXT;
      DROP INDEX leads_state_deadline;
      CREATE INDEX leads_awaiting_deadline ON leads (state, callback_deadline, created_at, id)
        WHERE state = 'awaiting_callback';
    `,
  },
  {
    version: 3,
    name: "inbox claims",
    // The inbox step claims entries until a time, as on PostgreSQL, so passes that overlap take
    // disjoint entries. The claim walks callback_inbox_unprocessed in id order; claimed entries
    // are few (a batch per pass), so no index covers the new column.
    sql: `
      ALTER TABLE callback_inbox ADD COLUMN claimed_until INTEGER;
    `,
  },
  {
    version: 5,
    name: "refresh schedules",
    // Where each refresh schedule stands (refresh-schedules.ts). The stale scan of a refresh
    // walks leads_created and probes leads_identity, so the leads table needs no new index.
    sql: `
      CREATE TABLE refresh_schedules (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        next_run_at INTEGER NOT NULL,
        last_run TEXT
      );
    `,
  },
  {
    version: 7,
    name: "live workers",
    // The processes running the pipeline (worker-registry.ts): a handful of rows, each
    // rewritten by its process's beat, so the primary key is all they need.
    sql: `
      CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        tier TEXT NOT NULL,
        ops_url TEXT,
        started_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: "delivered total",
    // status reads how many deliveries were ever delivered on every call: a counter bumped in
    // the transaction that marks one delivered, so the read is one row, never a count of
    // rows. It starts at the deliveries delivered before it.
    sql: `
      CREATE TABLE activity_totals (
        name TEXT PRIMARY KEY,
        count INTEGER NOT NULL
      );
      INSERT INTO activity_totals (name, count)
        SELECT 'delivered', COUNT(*) FROM sink_deliveries WHERE state = 'delivered';
    `,
  },
  {
    version: 9,
    name: "lead search",
    // The dashboard's lead lists: one state, or one source, over a time range in cursor order
    // (created_at, id) walk an index instead of the whole table. Email and overdue searches use
    // leads_identity and leads_awaiting_deadline.
    sql: `
      CREATE INDEX leads_state_created ON leads (state, created_at, id);
      CREATE INDEX leads_source_created ON leads (source, created_at, id);
    `,
  },
  {
    version: 10,
    name: "dead deliveries",
    // The DLQ view pages dead deliveries by when they died and status counts them: a partial
    // index holds only the dead ones (few), as on PostgreSQL, so neither walks the live rows.
    sql: `
      CREATE INDEX sink_deliveries_dead ON sink_deliveries (updated_at, lead_id, sink)
        WHERE state = 'dead';
    `,
  },
  {
    version: 11,
    name: "deferred leads by resume time",
    // status and the Waiting view count deferred leads per resume time and kind of wait (the
    // start of the reason) on every read: an index of the deferred leads alone, holding both
    // columns, answers that without reading a lead row (walking the leads read 20,000 rows, 56 ms).
    sql: `
      CREATE INDEX leads_deferred_waiting ON leads (available_at, reason) WHERE state = 'deferred';
    `,
  },
];

/** Brings the database up to the newest migration; returns the schema version it is at. */
export function migrate(
  db: SqliteDatabase,
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const known = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const currentVersion = db.prepare<[], { version: number | null }>(
    "SELECT MAX(version) AS version FROM schema_migrations",
  );
  const record = db.prepare<[number, string, number]>(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  let version = 0;
  for (const migration of ordered) {
    // The version is read again inside each transaction: another process may have migrated meanwhile.
    version = writeTransaction(db, () => {
      const current = currentVersion.get()?.version ?? 0;
      if (current > known) throw newerSchema(path, current, known);
      if (current >= migration.version) return current;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return migration.version;
    });
  }
  const final = currentVersion.get()?.version ?? 0;
  if (final > known) throw newerSchema(path, final, known);
  return Math.max(version, final);
}

function newerSchema(path: string, found: number, known: number): ClaypipeError {
  return new ClaypipeError(
    "state_unavailable",
    `the SQLite store at ${path} has schema version ${found}, newer than this claypipe knows (${known})`,
    {
      hint: "a newer claypipe wrote this file: upgrade claypipe, or point store.sqlite.path at another file",
    },
  );
}
