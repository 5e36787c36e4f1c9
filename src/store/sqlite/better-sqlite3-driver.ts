/**
 * The SQLite driver on the better-sqlite3 package, for Node.js without a
 * built-in SQLite (Node 20). better-sqlite3 is an optional dependency with a
 * native module: where it is missing or did not build, opening the store says
 * what to do instead of failing on a bare import error.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { ClaypipeError } from "../../core/errors.js";
import type { SqliteDatabase, SqliteErrorKind, SqliteStatement } from "./sqlite-database.js";

type BetterSqlite3Constructor = typeof BetterSqlite3;

export function openBetterSqlite3(path: string, readonly: boolean): SqliteDatabase {
  const Database = loadBetterSqlite3();
  const db = new Database(path, { readonly });
  return {
    driver: "better-sqlite3",
    get open() {
      return db.open;
    },
    prepare<P extends unknown[] | object, R>(sql: string): SqliteStatement<P, R> {
      const statement = db.prepare(sql);
      return {
        run: (...params) => {
          const result = statement.run(...params);
          return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
        },
        get: (...params) => statement.get(...params) as R | undefined,
        all: (...params) => statement.all(...params) as R[],
      };
    },
    exec: (sql) => {
      db.exec(sql);
    },
    close() {
      if (db.open) db.close();
    },
    errorKind(thrown: unknown): SqliteErrorKind | undefined {
      if (!(thrown instanceof Database.SqliteError)) return undefined;
      if (thrown.code.startsWith("SQLITE_CONSTRAINT")) return "constraint";
      if (thrown.code.startsWith("SQLITE_BUSY") || thrown.code.startsWith("SQLITE_LOCKED"))
        return "busy";
      return "other";
    },
  };
}

/** Whether better-sqlite3 is installed and its native module loads on this Node.js. */
export function betterSqlite3Loads(): boolean {
  try {
    loadBetterSqlite3();
    return true;
  } catch {
    return false;
  }
}

// Loaded with require, not import: a failed native load throws here, where it can be explained.
let loaded: BetterSqlite3Constructor | undefined;

function loadBetterSqlite3(): BetterSqlite3Constructor {
  if (loaded) return loaded;
  try {
    const Database = createRequire(import.meta.url)("better-sqlite3") as BetterSqlite3Constructor;
    // better-sqlite3 loads its native module on the first open: do that here too.
    new Database(":memory:").close();
    loaded = Database;
    return Database;
  } catch (thrown) {
    throw new ClaypipeError(
      "state_unavailable",
      `the SQLite store needs better-sqlite3 on Node.js ${process.version}, which has no built-in SQLite, and it could not be loaded`,
      {
        hint: "run claypipe on Node.js 22.13 or later (it has node:sqlite built in), or install better-sqlite3 (`npm install better-sqlite3`; without a prebuilt binary it builds with python3, make and a C++ compiler)",
        cause: thrown,
      },
    );
  }
}
