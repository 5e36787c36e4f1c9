/**
 * Opening the PostgreSQL store: the schema is created and migrated once, even
 * by many processes starting together; a schema from a newer claypipe and a
 * server that is not there are refused with a message that says so.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { createPostgresStore, MIGRATIONS } from "../../src/store/postgres/index.js";
import { migrate } from "../../src/store/postgres/migrations.js";
import { openPostgresDatabase } from "../../src/store/postgres/postgres-database.js";
import { newLead, T0 } from "./contract/fixtures.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "./fixtures/postgres-server.js";

let admin: pg.Client;
const schemas: string[] = [];
const LATEST = Math.max(...MIGRATIONS.map((migration) => migration.version));

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  if (!admin) return;
  for (const schema of schemas) await dropSchema(admin, schema);
  await admin.end();
});

/** A schema of this file's, dropped at its end. */
function newSchema(): string {
  const schema = randomSchema("migrations");
  schemas.push(schema);
  return schema;
}

async function appliedVersions(schema: string): Promise<number[]> {
  const { rows } = await admin.query<{ version: number }>(
    `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
  );
  return rows.map((row) => row.version);
}

/** Migrations after the shipped ones; the second leaves one row behind each time it runs. */
function withCountedMigration(): typeof MIGRATIONS {
  return [
    ...MIGRATIONS,
    { version: 1000, name: "add runs", sql: "CREATE TABLE runs (at bigint)" },
    { version: 1001, name: "count a run", sql: "INSERT INTO runs VALUES (1)" },
  ];
}

describe("the PostgreSQL store's schema", () => {
  it("creates the schema, applies each migration once, and keeps data across reopening", async () => {
    const schema = newSchema();
    const lead = newLead();
    const first = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    await first.leads.admit([lead], { dedupeSince: 0, now: T0 });
    await first.counters.tryReserve([{ key: "webhook:a", limit: 5 }]);
    await first.close();
    await first.close();
    expect(await appliedVersions(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));

    const second = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    expect(second.supportsMultipleProcesses).toBe(true);
    expect(await second.leads.get(lead.id)).toMatchObject({ id: lead.id, state: "queued" });
    expect(await second.counters.get("webhook:a")).toBe(1);
    await second.close();
    expect(await appliedVersions(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it("keeps the history of a lead admitted before admissions moved onto the lead row", async () => {
    const schema = newSchema();
    const db = await openPostgresDatabase({ connectionString: DATABASE_URL, schema, poolSize: 1 });
    try {
      await migrate(db, MIGRATIONS.slice(0, 1));
      // Version 1 wrote both admission steps as lead_events rows.
      await db.query(
        `INSERT INTO ${db.table("leads")} (id, source, workspace, table_name, identity_key, fields,
           state, priority, available_at, created_at, updated_at)
         VALUES ('old', 'csv', 'main', 'people', 'email:a@x.io', '{}', 'sending', 0, $1, $1, $2)`,
        [T0, T0 + 5],
      );
      await db.query(
        `INSERT INTO ${db.table("lead_events")} (lead_id, at, from_state, to_state)
         VALUES ('old', $1, NULL, 'received'), ('old', $1, 'received', 'queued'),
           ('old', $2, 'queued', 'sending')`,
        [T0, T0 + 5],
      );
    } finally {
      await db.close();
    }
    const store = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      expect((await store.leads.history("old")).map((event) => [event.from, event.to])).toEqual([
        [null, "received"],
        ["received", "queued"],
        ["queued", "sending"],
      ]);
      const repeat = newLead({ identityKey: "email:a@x.io", workspace: "main" });
      expect(await store.leads.admit([repeat], { dedupeSince: 0, now: T0 + 10 })).toMatchObject([
        { state: "duplicate", duplicateOf: "old" },
      ]);
    } finally {
      await store.close();
    }
  });

  it("starts the delivered total at the deliveries delivered before it", async () => {
    const schema = newSchema();
    const db = await openPostgresDatabase({ connectionString: DATABASE_URL, schema, poolSize: 1 });
    try {
      await migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < 8),
      );
      await db.query(
        `INSERT INTO ${db.table("leads")} (id, source, workspace, table_name, identity_key, fields,
           state, priority, available_at, created_at, updated_at)
         VALUES ('old', 'csv', 'main', 'people', 'email:a@x.io', '{}', 'enriched', 0, $1, $1, $1)`,
        [T0],
      );
      await db.query(
        `INSERT INTO ${db.table("sink_deliveries")} (lead_id, sink, route, state, available_at,
           created_at, updated_at)
         VALUES ('old', 'crm', 'r', 'delivered', $1, $1, $1), ('old', 'sheet', 'r', 'delivered', $1, $1, $1),
           ('old', 'slack', 'r', 'pending', $1, $1, $1)`,
        [T0],
      );
    } finally {
      await db.close();
    }
    const store = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      expect(await store.deliveries.countDelivered()).toBe(2);
      await store.deliveries.markDelivered("old", "slack", T0 + 1);
      expect(await store.deliveries.countDelivered()).toBe(3);
    } finally {
      await store.close();
    }
  });

  it("applies a new migration once, on the next start", async () => {
    const db = await openPostgresDatabase({
      connectionString: DATABASE_URL,
      schema: newSchema(),
      poolSize: 2,
    });
    try {
      expect(await migrate(db)).toBe(LATEST);
      expect(await migrate(db, withCountedMigration())).toBe(1001);
      expect(await migrate(db, withCountedMigration())).toBe(1001);
      expect((await db.query(`SELECT * FROM ${db.table("runs")}`)).rowCount).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("migrates exactly once when many processes start at the same moment", async () => {
    const schema = newSchema();
    const starts = Array.from({ length: 8 }, async () => {
      const db = await openPostgresDatabase({
        connectionString: DATABASE_URL,
        schema,
        poolSize: 1,
      });
      try {
        return await migrate(db, withCountedMigration());
      } finally {
        await db.close();
      }
    });
    expect(await Promise.all(starts)).toEqual(Array(8).fill(1001));
    expect(await appliedVersions(schema)).toEqual(
      withCountedMigration().map((migration) => migration.version),
    );
    const runs = await admin.query(`SELECT * FROM "${schema}".runs`);
    expect(runs.rowCount).toBe(1);
  });

  it("opens many stores at once on a schema that does not exist yet", async () => {
    const schema = newSchema();
    const stores = await Promise.all(
      Array.from({ length: 6 }, () =>
        createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 1 }),
      ),
    );
    await Promise.all(stores.map((store) => store.close()));
    expect(await appliedVersions(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it("rolls a failing migration back whole", async () => {
    const db = await openPostgresDatabase({
      connectionString: DATABASE_URL,
      schema: newSchema(),
      poolSize: 2,
    });
    try {
      await migrate(db);
      const broken = [
        ...MIGRATIONS,
        {
          version: LATEST + 1,
          name: "broken",
          sql: "CREATE TABLE half (a int); INSERT INTO nowhere VALUES (1);",
        },
      ];
      await expect(migrate(db, broken)).rejects.toMatchObject({ code: "state_unavailable" });
      const { rows } = await db.query<{ version: number; half: string | null }>(
        `SELECT MAX(version) AS version, to_regclass($1)::text AS half FROM ${db.table("schema_migrations")}`,
        [db.table("half")],
      );
      expect(rows[0]).toEqual({ version: LATEST, half: null });
    } finally {
      await db.close();
    }
  });

  it("refuses a schema written by a newer claypipe, saying so", async () => {
    const schema = newSchema();
    const store = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    await store.close();
    await admin.query(
      `INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`,
    );
    const opening = createPostgresStore({ connectionString: DATABASE_URL, schema });
    await expect(opening).rejects.toBeInstanceOf(ClaypipeError);
    await expect(opening).rejects.toMatchObject({
      code: "state_unavailable",
      message: expect.stringContaining(
        `schema version 999, newer than this claypipe knows (${LATEST})`,
      ),
      hint: expect.stringMatching(/upgrade claypipe/),
    });
    expect(await appliedVersions(schema)).toEqual([
      ...MIGRATIONS.map((migration) => migration.version),
      999,
    ]);
  });

  it("names the server when it cannot be reached", async () => {
    const opening = createPostgresStore({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      schema: newSchema(),
    });
    await expect(opening).rejects.toMatchObject({
      code: "state_unavailable",
      message: expect.stringContaining("127.0.0.1:1/test"),
      hint: expect.stringContaining("127.0.0.1:1/test"),
    });
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await expect(
      createPostgresStore({ connectionString: DATABASE_URL, schema: 'x"; DROP TABLE y; --' }),
    ).rejects.toMatchObject({ code: "config_invalid" });
  });
});
