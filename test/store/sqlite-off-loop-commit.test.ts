/**
 * The off-loop commit of the callback inbox's appends: the transaction is
 * written, the connection is back at synchronous = FULL for every other write
 * (also after a failed transaction), and a failed transaction rejects.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOffLoopCommit } from "../../src/store/sqlite/off-loop-commit.js";
import { openDatabase, type SqliteDatabase } from "../../src/store/sqlite/open-database.js";
import { sqliteDriversToTest } from "./sqlite-drivers.js";

const FULL = 2;

for (const driver of sqliteDriversToTest()) {
  describe(`off-loop commit (${driver})`, () => {
    let dir: string;
    let db: SqliteDatabase;
    afterEach(async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    });

    const open = async () => {
      dir = await mkdtemp(join(tmpdir(), "claypipe-off-loop-"));
      const path = join(dir, "claypipe.db");
      db = openDatabase({ path, driver });
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
      return createOffLoopCommit(db, path);
    };
    const synchronous = () =>
      db.prepare<[], { synchronous: number }>("PRAGMA synchronous").get()!.synchronous;

    it("writes the transaction and leaves the connection at synchronous = FULL", async () => {
      const commits = await open();
      const insert = db.prepare<[string]>("INSERT INTO t (name) VALUES (?)");
      await commits.commit(() => insert.run("a"));
      await commits.commit(() => insert.run("b"));
      commits.close();
      expect(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM t").get()!.n).toBe(2);
      expect(synchronous()).toBe(FULL);
    });

    it("rejects a transaction that fails, rolled back, and stays at FULL", async () => {
      const commits = await open();
      const insert = db.prepare<[string | null]>("INSERT INTO t (name) VALUES (?)");
      await expect(
        commits.commit(() => {
          insert.run("a");
          insert.run(null);
        }),
      ).rejects.toThrow();
      commits.close();
      expect(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM t").get()!.n).toBe(0);
      expect(synchronous()).toBe(FULL);
    });
  });
}
