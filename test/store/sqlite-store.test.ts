/**
 * The Store contract on SQLite, each test on its own temporary file, once for
 * every SQLite driver this Node.js can run (node:sqlite on Node 22.13+ and 24,
 * better-sqlite3 where Node has no built-in SQLite; never better-sqlite3 on
 * Node 24, where its native module aborts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { openSqlite } from "../../src/store/sqlite/sqlite-driver.js";
import { sqliteDriversToTest } from "./sqlite-drivers.js";
import { runStoreContract } from "./store-contract.js";

for (const driver of sqliteDriversToTest()) {
  runStoreContract(`SQLite (${driver})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "claypipe-store-"));
    const store = await createSqliteStore({ path: join(dir, "nested", "claypipe.db"), driver });
    return {
      store,
      async cleanup() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });

  describe(`SQLite driver ${driver}`, () => {
    it("opens with this driver and reads back what it wrote", async () => {
      const db = openSqlite(":memory:", { driver });
      try {
        expect(db.driver).toBe(driver);
        db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
        const insert = db.prepare<{ name: string }>("INSERT INTO t (name) VALUES (@name)");
        expect(insert.run({ name: "a" })).toEqual({ changes: 1, lastInsertRowid: 1 });
        expect(() => db.prepare("INSERT INTO t (id, name) VALUES (1, 'b')").run()).toThrow();
        try {
          db.prepare("INSERT INTO t (id, name) VALUES (1, 'b')").run();
        } catch (thrown) {
          expect(db.errorKind(thrown)).toBe("constraint");
        }
        expect(db.errorKind(new Error("not SQLite"))).toBeUndefined();
        expect({
          ...db.prepare<[number], { name: string }>("SELECT name FROM t WHERE id = ?").get(1),
        }).toEqual({ name: "a" });
      } finally {
        db.close();
      }
      expect(db.open).toBe(false);
    });
  });
}
