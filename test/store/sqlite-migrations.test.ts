/** Opening the SQLite store: versioned migrations, reopening, and files it must refuse. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { createSqliteStore, MIGRATIONS } from "../../src/store/sqlite/index.js";
import { migrate } from "../../src/store/sqlite/migrations.js";
import { openSqlite, type SqliteDriverName } from "../../src/store/sqlite/sqlite-driver.js";
import { newLead, T0 } from "./contract/fixtures.js";
import { sqliteDriversToTest } from "./sqlite-drivers.js";

let dir: string;
let path: string;
const LATEST = Math.max(...MIGRATIONS.map((migration) => migration.version));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "claypipe-migrations-"));
  path = join(dir, "state", "claypipe.db");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function appliedVersions(file: string, driver: SqliteDriverName): number[] {
  const db = openSqlite(file, { driver, readonly: true });
  try {
    return db
      .prepare<[], { version: number }>("SELECT version FROM schema_migrations ORDER BY version")
      .all()
      .map((row) => row.version);
  } finally {
    db.close();
  }
}

for (const driver of sqliteDriversToTest()) {
  describe(`the SQLite store's schema (${driver})`, () => {
    it("creates the folder, applies each migration once, and keeps data across reopening", async () => {
      const lead = newLead();
      const first = await createSqliteStore({ driver, path });
      await first.leads.admit([lead], { dedupeSince: 0, now: T0 });
      await first.counters.tryReserve([{ key: "webhook:a", limit: 5 }]);
      await first.close();
      expect(appliedVersions(path, driver)).toEqual(
        MIGRATIONS.map((migration) => migration.version),
      );

      const second = await createSqliteStore({ driver, path });
      expect(await second.leads.get(lead.id)).toMatchObject({ id: lead.id, state: "queued" });
      expect(await second.counters.get("webhook:a")).toBe(1);
      await second.close();
      expect(appliedVersions(path, driver)).toEqual(
        MIGRATIONS.map((migration) => migration.version),
      );
    });

    it("keeps the history of a lead admitted before admissions moved onto the lead row", async () => {
      const file = join(dir, "v1.db");
      const db = openSqlite(file, { driver });
      migrate(db, file, MIGRATIONS.slice(0, 1));
      // Version 1 wrote both admission steps as lead_events rows.
      db.prepare(
        `INSERT INTO leads (id, source, workspace, table_name, identity_key, fields, state,
         priority, available_at, created_at, updated_at)
       VALUES ('old', 'csv', 'main', 'people', 'email:a@x.io', '{}', 'sending', 0, ?, ?, ?)`,
      ).run(T0, T0, T0 + 5);
      const events = db.prepare(
        "INSERT INTO lead_events (lead_id, at, from_state, to_state) VALUES ('old', ?, ?, ?)",
      );
      events.run(T0, null, "received");
      events.run(T0, "received", "queued");
      events.run(T0 + 5, "queued", "sending");
      db.close();

      const store = await createSqliteStore({ driver, path: file });
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
      const file = join(dir, "v7.db");
      const db = openSqlite(file, { driver });
      migrate(
        db,
        file,
        MIGRATIONS.filter((migration) => migration.version < 8),
      );
      db.prepare(
        `INSERT INTO leads (id, source, workspace, table_name, identity_key, fields, state,
         priority, available_at, created_at, updated_at)
       VALUES ('old', 'csv', 'main', 'people', 'email:a@x.io', '{}', 'enriched', 0, ?, ?, ?)`,
      ).run(T0, T0, T0);
      const delivery = db.prepare(
        `INSERT INTO sink_deliveries (lead_id, sink, route, state, available_at, created_at, updated_at)
         VALUES ('old', ?, 'r', ?, 0, 0, 0)`,
      );
      delivery.run("crm", "delivered");
      delivery.run("sheet", "delivered");
      delivery.run("slack", "pending");
      db.close();

      const store = await createSqliteStore({ driver, path: file });
      try {
        expect(await store.deliveries.countDelivered()).toBe(2);
        await store.deliveries.markDelivered("old", "slack", T0 + 1);
        expect(await store.deliveries.countDelivered()).toBe(3);
      } finally {
        await store.close();
      }
    });

    it("opens in WAL mode", async () => {
      const store = await createSqliteStore({ driver, path });
      await store.close();
      const db = openSqlite(path, { driver, readonly: true });
      expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      db.close();
    });

    it("applies a new migration once, on the next open", async () => {
      const db = openSqlite(":memory:", { driver });
      const next = [
        ...MIGRATIONS,
        { version: 1000, name: "add notes", sql: "CREATE TABLE notes (text TEXT)" },
      ];
      expect(migrate(db, ":memory:")).toBe(LATEST);
      expect(migrate(db, ":memory:", next)).toBe(1000);
      expect(migrate(db, ":memory:", next)).toBe(1000);
      expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({
        n: MIGRATIONS.length + 1,
      });
      db.close();
    });

    it("rolls a failing migration back whole", async () => {
      const db = openSqlite(":memory:", { driver });
      migrate(db, ":memory:");
      const broken = [
        ...MIGRATIONS,
        {
          version: LATEST + 1,
          name: "broken",
          sql: "CREATE TABLE half (a); INSERT INTO nowhere VALUES (1);",
        },
      ];
      expect(() => migrate(db, ":memory:", broken)).toThrow(ClaypipeError);
      expect(db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get()).toEqual({
        v: LATEST,
      });
      expect(
        db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(),
      ).toBeUndefined();
      db.close();
    });

    it("refuses a database written by a newer claypipe, saying so", async () => {
      const store = await createSqliteStore({ driver, path });
      await store.close();
      const db = openSqlite(path, { driver });
      db.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)",
      ).run();
      db.close();

      const opening = createSqliteStore({ driver, path });
      await expect(opening).rejects.toBeInstanceOf(ClaypipeError);
      await expect(opening).rejects.toMatchObject({
        code: "state_unavailable",
        message: expect.stringContaining(
          `schema version 999, newer than this claypipe knows (${LATEST})`,
        ),
        hint: expect.stringMatching(/upgrade claypipe/),
      });
    });

    it("refuses a file that is not a SQLite database", async () => {
      const file = join(dir, "not-a-db.db");
      await writeFile(
        file,
        "this is not a database, just text that is long enough to have a header".repeat(20),
      );
      await expect(createSqliteStore({ driver, path: file })).rejects.toMatchObject({
        code: "state_unavailable",
        message: expect.stringContaining(file),
      });
    });
  });
}
