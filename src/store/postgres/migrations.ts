/**
 * Versioned schema migrations for the PostgreSQL store. Each migration runs
 * once, in its own transaction, and is recorded in the schema's
 * `schema_migrations`. Every transaction first takes an advisory lock on the
 * schema, so processes that start together queue up and the first one does
 * the work; a schema written by a newer claypipe is refused rather than
 * guessed at.
 */
import { ClaypipeError } from "../../core/errors.js";
import type { Migration } from "../migration.js";
import { advisoryKey } from "./advisory-keys.js";
import type { PostgresDatabase, Queryable } from "./postgres-database.js";

// Credits are stored in thousandths (integers) so sums never drift: 0.1 + 0.2 stays 0.3.
// Ids, keys and names sort byte by byte (COLLATE "C"), the order JavaScript and SQLite use.
// `json` keeps documents as they came (jsonb would reorder keys and refuse \u0000).
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE leads (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id text COLLATE "C" PRIMARY KEY,
        source text NOT NULL,
        workspace text COLLATE "C" NOT NULL,
        table_name text NOT NULL,
        identity_key text COLLATE "C" NOT NULL,
        fields json NOT NULL,
        state text NOT NULL,
        reason text,
        priority integer NOT NULL,
        attempt integer NOT NULL DEFAULT 0,
        available_at bigint NOT NULL,
        callback_deadline bigint,
        duplicate_of text COLLATE "C",
        result json,
        routes json NOT NULL DEFAULT '[]',
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX leads_claim_order ON leads (priority, available_at, created_at, id)
        WHERE state IN ('queued', 'retrying');
      CREATE INDEX leads_state_available ON leads (state, available_at, created_at, id);
      CREATE INDEX leads_deadline ON leads (callback_deadline, created_at, id)
        WHERE state = 'awaiting_callback';
      CREATE INDEX leads_identity ON leads (workspace, identity_key, seq);
      CREATE INDEX leads_created ON leads (created_at, id);
      CREATE INDEX leads_duplicate_of ON leads (duplicate_of) WHERE duplicate_of IS NOT NULL;

      CREATE TABLE lead_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lead_id text COLLATE "C" NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        at bigint NOT NULL,
        from_state text,
        to_state text NOT NULL,
        reason text
      );
      CREATE INDEX lead_events_lead ON lead_events (lead_id, id);

      CREATE TABLE callback_inbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lead_id text NOT NULL,
        attempt integer NOT NULL,
        body json NOT NULL,
        received_at bigint NOT NULL,
        processed_at bigint
      );
      CREATE INDEX callback_inbox_unprocessed ON callback_inbox (id) WHERE processed_at IS NULL;

      CREATE TABLE credit_reservations (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lead_id text COLLATE "C" NOT NULL,
        status text NOT NULL,
        actions_milli bigint NOT NULL,
        data_milli bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX credit_reservations_lead ON credit_reservations (lead_id, id);

      CREATE TABLE credit_reservation_caps (
        reservation_id bigint NOT NULL REFERENCES credit_reservations (id) ON DELETE CASCADE,
        scope text COLLATE "C" NOT NULL,
        window_key text COLLATE "C" NOT NULL,
        PRIMARY KEY (reservation_id, scope, window_key)
      );

      CREATE TABLE credit_totals (
        scope text COLLATE "C" NOT NULL,
        window_key text COLLATE "C" NOT NULL,
        actions_milli bigint NOT NULL DEFAULT 0,
        data_milli bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, window_key)
      );

      CREATE TABLE credits_saved (
        lead_id text COLLATE "C" PRIMARY KEY,
        actions_milli bigint NOT NULL,
        data_milli bigint NOT NULL,
        at bigint NOT NULL
      );

      CREATE TABLE capacity_counters (
        key text COLLATE "C" PRIMARY KEY,
        count bigint NOT NULL
      );

      CREATE TABLE sink_deliveries (
        lead_id text COLLATE "C" NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        sink text COLLATE "C" NOT NULL,
        route text NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        available_at bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (lead_id, sink)
      );
      CREATE INDEX sink_deliveries_due ON sink_deliveries (sink, available_at, created_at, lead_id)
        WHERE state = 'pending';
      CREATE INDEX sink_deliveries_dead ON sink_deliveries (updated_at, lead_id, sink)
        WHERE state = 'dead';
    `,
  },
  {
    version: 2,
    name: "admission on the lead row",
    // A lead's first two history steps (received, then queued or duplicate) are read from the
    // lead row instead of two lead_events rows, so an admission writes one row and one entry
    // per index for each lead; leads admitted before keep theirs in lead_events (admitted_state
    // NULL). Adding nullable columns without a default rewrites nothing.
    sql: `
      ALTER TABLE leads ADD COLUMN admitted_state text, ADD COLUMN admitted_reason text;
    `,
  },
  {
    version: 3,
    name: "transition feed",
    // The transaction that wrote each history step, so the transition feed reads them in
    // commit order: a step whose transaction is older than every one still running is final
    // (an identity id is not: a smaller one may commit after a larger). Rows written before
    // carry this migration's transaction; the feed starts after it anyway.
    sql: `
      ALTER TABLE leads ADD COLUMN admitted_tx xid8 NOT NULL DEFAULT pg_current_xact_id();
      ALTER TABLE lead_events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
      CREATE INDEX leads_admitted_tx ON leads (admitted_tx, seq);
      CREATE INDEX lead_events_tx ON lead_events (tx, id);
      CREATE TABLE feed_positions (
        name text PRIMARY KEY,
        events_tx xid8 NOT NULL,
        events_id bigint NOT NULL,
        admitted_tx xid8 NOT NULL,
        admitted_seq bigint NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "inbox claims",
    // Processes sharing the store claim inbox entries until a time instead of all reading the
    // oldest ones. The claim query walks callback_inbox_unprocessed in id order; claimed
    // entries are few (a batch per process), so no index covers the new column. Nullable
    // without a default: adding it rewrites nothing.
    sql: `
      ALTER TABLE callback_inbox ADD COLUMN claimed_until bigint;
    `,
  },
  {
    version: 6,
    name: "refresh schedules",
    // Where each refresh schedule stands (refresh-schedules.ts). The stale scan of a refresh
    // walks leads_created and probes leads_identity, so the leads table needs no new index.
    sql: `
      CREATE TABLE refresh_schedules (
        name text PRIMARY KEY,
        spec text NOT NULL,
        next_run_at bigint NOT NULL,
        last_run jsonb
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
        id text COLLATE "C" PRIMARY KEY,
        role text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        tier text NOT NULL,
        ops_url text,
        started_at bigint NOT NULL,
        seen_at bigint NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: "delivered total",
    // status reads how many deliveries were ever delivered on every call: a sequence that
    // marking one delivered advances, read in constant time (counting a million index
    // entries takes a few hundred ms), and with no row lock for workers to queue on. It
    // starts past the deliveries delivered before it; owned by the state it counts changes
    // of, it goes with the table (and TRUNCATE … RESTART IDENTITY restarts it).
    sql: `
      CREATE SEQUENCE sink_deliveries_delivered_total OWNED BY sink_deliveries.state;
      SELECT setval('sink_deliveries_delivered_total',
        (SELECT COUNT(*) FROM sink_deliveries WHERE state = 'delivered') + 1, false);
    `,
  },
  {
    version: 9,
    name: "lead search",
    // The dashboard's lead lists: one state, one source or one identity, over a time range in
    // cursor order (created_at, id), walk an index instead of the whole table (leads_identity
    // leads with the workspace, so a search across workspaces cannot use it). Overdue
    // searches use leads_deadline.
    sql: `
      CREATE INDEX leads_state_created ON leads (state, created_at, id);
      CREATE INDEX leads_source_created ON leads (source, created_at, id);
      CREATE INDEX leads_identity_created ON leads (identity_key, created_at, id);
    `,
  },
  {
    version: 10,
    name: "deferred leads by resume time",
    // status and the Waiting view count deferred leads per resume time and kind of wait (the
    // start of the reason) on every read: an index of the deferred leads alone, holding both
    // columns, answers that without reading the lead rows.
    sql: `
      CREATE INDEX leads_deferred_waiting ON leads (available_at, reason) WHERE state = 'deferred';
    `,
  },
  {
    version: 11,
    name: "skipped leads by workspace, dead leads by reason",
    // status counts skipped leads per workspace on every read (a 97 ms heap scan of 20,000 rows at
    // 1M leads without it), and the DLQ filtered by reason and source combined two big indexes
    // (256 ms): small indexes of those leads alone.
    sql: `
      CREATE INDEX leads_skipped_workspace ON leads (workspace) WHERE state = 'skipped';
      CREATE INDEX leads_dead_reason ON leads (reason, created_at, id) WHERE state = 'dead';
    `,
  },
  {
    version: 12,
    name: "one index of a person's leads",
    // Two indexes keyed by the identity (scattered over the whole index, unlike the time-ordered
    // ones) cost every admitted lead two random B-tree inserts: a CSV import spent ~40% of its
    // INSERT on them. Identity first serves both the dedupe gate and the versions (workspace and
    // identity both equal, in seq order) and the dashboard's search by identity across
    // workspaces (a person has a handful of leads: sorting them by time is free), as SQLite's
    // leads_identity does.
    sql: `
      DROP INDEX leads_identity;
      DROP INDEX leads_identity_created;
      CREATE INDEX leads_identity ON leads (identity_key, workspace, seq);
    `,
  },
  {
    version: 13,
    name: "credit ledger changes in one statement",
    // A reservation, settlement or release was a transaction of 5-7 round trips (BEGIN, the
    // lead's advisory lock, its latest reservation, its caps, the totals, COMMIT). These
    // functions run the same steps, in the same order and under the same locks, inside the
    // server: one statement each. SET search_path FROM CURRENT: they name this schema's tables.
    sql: `
      CREATE FUNCTION credit_move_caps(p_reservation bigint, p_actions bigint, p_data bigint)
      RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO credit_totals (scope, window_key)
          SELECT scope, window_key FROM credit_reservation_caps WHERE reservation_id = p_reservation
          ORDER BY scope COLLATE "C", window_key COLLATE "C"
          ON CONFLICT (scope, window_key) DO NOTHING;
        PERFORM 1 FROM credit_totals AS total
          WHERE (total.scope, total.window_key) IN (
            SELECT scope, window_key FROM credit_reservation_caps WHERE reservation_id = p_reservation)
          ORDER BY total.scope, total.window_key FOR UPDATE;
        UPDATE credit_totals AS total SET actions_milli = total.actions_milli + p_actions,
            data_milli = total.data_milli + p_data
          FROM credit_reservation_caps AS cap
          WHERE cap.reservation_id = p_reservation
            AND total.scope = cap.scope AND total.window_key = cap.window_key;
      END $$;

      -- Returns the index (1-based) of the first cap that refuses and what it held, or 0.
      CREATE FUNCTION credit_reserve(p_lead text, p_lock bigint, p_actions bigint, p_data bigint,
        p_scopes text[], p_windows text[], p_limit_actions bigint[], p_limit_data bigint[],
        p_at bigint, OUT refused integer, OUT used_actions bigint, OUT used_data bigint)
      LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        latest record;
        open_id bigint;
        open_actions bigint := 0;
        open_data bigint := 0;
        before_actions bigint;
        before_data bigint;
        new_id bigint;
      BEGIN
        refused := 0;
        PERFORM pg_advisory_xact_lock(p_lock);
        SELECT id, status, actions_milli, data_milli INTO latest FROM credit_reservations
          WHERE lead_id = p_lead ORDER BY id DESC LIMIT 1;
        -- A lead has one open reservation: sending it again replaces the previous estimate.
        IF FOUND AND latest.status = 'reserved' THEN
          open_id := latest.id;
          open_actions := latest.actions_milli;
          open_data := latest.data_milli;
        END IF;
        INSERT INTO credit_totals (scope, window_key)
          SELECT scope, window_key FROM (
            SELECT * FROM unnest(p_scopes, p_windows) AS cap (scope, window_key)
            UNION SELECT scope, window_key FROM credit_reservation_caps WHERE reservation_id = open_id
          ) AS wanted
          ORDER BY scope COLLATE "C", window_key COLLATE "C"
          ON CONFLICT (scope, window_key) DO NOTHING;
        PERFORM 1 FROM credit_totals AS total
          WHERE (total.scope, total.window_key) IN (
            SELECT * FROM unnest(p_scopes, p_windows)
            UNION SELECT scope, window_key FROM credit_reservation_caps WHERE reservation_id = open_id)
          ORDER BY total.scope, total.window_key FOR UPDATE;
        FOR i IN 1 .. coalesce(array_length(p_scopes, 1), 0) LOOP
          SELECT total.actions_milli - CASE WHEN open_caps.scope IS NULL THEN 0 ELSE open_actions END,
                 total.data_milli - CASE WHEN open_caps.scope IS NULL THEN 0 ELSE open_data END
            INTO before_actions, before_data
            FROM credit_totals AS total
            LEFT JOIN credit_reservation_caps AS open_caps ON open_caps.reservation_id = open_id
              AND open_caps.scope = total.scope AND open_caps.window_key = total.window_key
            WHERE total.scope = p_scopes[i] AND total.window_key = p_windows[i];
          IF (p_limit_actions[i] IS NOT NULL AND before_actions + p_actions > p_limit_actions[i])
            OR (p_limit_data[i] IS NOT NULL AND before_data + p_data > p_limit_data[i]) THEN
            refused := i;
            used_actions := before_actions;
            used_data := before_data;
            -- Nothing is reserved; the empty totals rows made above count nothing.
            RETURN;
          END IF;
        END LOOP;
        IF open_id IS NOT NULL THEN
          PERFORM credit_move_caps(open_id, -open_actions, -open_data);
          UPDATE credit_reservations SET status = 'released', updated_at = p_at WHERE id = open_id;
        END IF;
        INSERT INTO credit_reservations (lead_id, status, actions_milli, data_milli, created_at, updated_at)
          VALUES (p_lead, 'reserved', p_actions, p_data, p_at, p_at) RETURNING id INTO new_id;
        -- A cap named twice counts the lead once.
        INSERT INTO credit_reservation_caps (reservation_id, scope, window_key)
          SELECT DISTINCT new_id, scope, window_key FROM unnest(p_scopes, p_windows) AS cap (scope, window_key);
        PERFORM credit_move_caps(new_id, p_actions, p_data);
      END $$;

      CREATE FUNCTION credit_settle(p_lead text, p_lock bigint, p_actions bigint, p_data bigint, p_at bigint)
      RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        latest record;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock);
        SELECT id, status, actions_milli, data_milli INTO latest FROM credit_reservations
          WHERE lead_id = p_lead ORDER BY id DESC LIMIT 1;
        IF NOT FOUND OR latest.status = 'settled' THEN RETURN; END IF;
        -- A released reservation still counted nothing; a late callback means Clay did charge.
        IF latest.status = 'reserved' THEN
          PERFORM credit_move_caps(latest.id, p_actions - latest.actions_milli, p_data - latest.data_milli);
        ELSE
          PERFORM credit_move_caps(latest.id, p_actions, p_data);
        END IF;
        UPDATE credit_reservations SET status = 'settled', actions_milli = p_actions,
          data_milli = p_data, updated_at = p_at WHERE id = latest.id;
      END $$;

      CREATE FUNCTION credit_release(p_lead text, p_lock bigint, p_at bigint)
      RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        latest record;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock);
        SELECT id, status, actions_milli, data_milli INTO latest FROM credit_reservations
          WHERE lead_id = p_lead ORDER BY id DESC LIMIT 1;
        IF NOT FOUND OR latest.status <> 'reserved' THEN RETURN; END IF;
        PERFORM credit_move_caps(latest.id, -latest.actions_milli, -latest.data_milli);
        UPDATE credit_reservations SET status = 'released', updated_at = p_at WHERE id = latest.id;
      END $$;
    `,
  },
];

/** Brings the schema up to the newest migration, creating it when missing; returns its version. */
export async function migrate(
  db: PostgresDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const known = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  let version = 0;
  for (const migration of ordered) {
    // The version is read again under the lock: another process may have migrated meanwhile.
    version = await db.transaction(async (tx) => {
      const current = await lockedVersion(db, tx);
      if (current > known) throw newerSchema(db, current, known);
      if (current >= migration.version) return current;
      // SET LOCAL ends with the transaction, so migrations name their tables plainly.
      await tx.query(`SET LOCAL search_path TO ${db.schema}`);
      await tx.query(migration.sql);
      await tx.query(
        `INSERT INTO ${db.table("schema_migrations")} (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, Date.now()],
      );
      return migration.version;
    });
  }
  const final = await db.transaction((tx) => lockedVersion(db, tx));
  if (final > known) throw newerSchema(db, final, known);
  return Math.max(version, final);
}

/**
 * Takes the schema's migration lock for the rest of the transaction, creates
 * the schema and its `schema_migrations` table when missing, and reads the version.
 */
async function lockedVersion(db: PostgresDatabase, tx: Queryable): Promise<number> {
  await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [
    advisoryKey("claypipe migrations", db.schema),
  ]);
  const table = db.table("schema_migrations");
  const found = await tx.query<{ has_schema: boolean; has_table: boolean }>(
    `SELECT to_regnamespace($1) IS NOT NULL AS has_schema, to_regclass($2) IS NOT NULL AS has_table`,
    [db.schema, table],
  );
  if (!found.rows[0]?.has_table) {
    // Only when missing: a user given a schema a DBA made needs no right to create schemas.
    if (!found.rows[0]?.has_schema) await tx.query(`CREATE SCHEMA ${db.schema}`);
    await tx.query(`CREATE TABLE ${table} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    return 0;
  }
  const { rows } = await tx.query<{ version: number | null }>(
    `SELECT MAX(version) AS version FROM ${table}`,
  );
  return rows[0]?.version ?? 0;
}

function newerSchema(db: PostgresDatabase, found: number, known: number): ClaypipeError {
  return new ClaypipeError(
    "state_unavailable",
    `the PostgreSQL store in schema ${db.schema} at ${db.server} has schema version ${found}, newer than this claypipe knows (${known})`,
    {
      hint: "a newer claypipe wrote this schema: upgrade claypipe, or give the store another schema",
    },
  );
}
