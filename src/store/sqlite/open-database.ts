/**
 * Opens the SQLite file behind the embedded Store: creates its folder, and sets
 * the pragmas that make a commit durable (WAL, synchronous = FULL) and let a
 * second connection wait for the writer instead of failing at once.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ClaypipeError } from "../../core/errors.js";

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** The database file; ":memory:" for a private in-memory database. */
  path: string;
  /**
   * How long a connection waits for another one's write lock, in ms.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const { path, busyTimeoutMs = 5000 } = options;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      db.pragma("journal_mode = WAL");
      // FULL syncs the WAL on every commit: a committed transaction survives power loss.
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      return db;
    } catch (thrown) {
      db.close();
      throw thrown;
    }
  } catch (thrown) {
    throw new ClaypipeError("state_unavailable", `could not open the SQLite store at ${path}`, {
      hint: "check that store.sqlite.path points at a writable file that is a SQLite database",
      cause: thrown,
    });
  }
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE, so two connections
 * never deadlock upgrading a read lock) and turns SQLite failures into a
 * ClaypipeError the caller can branch on.
 */
export function writeTransaction<T>(db: SqliteDatabase, work: () => T): T {
  try {
    return db.transaction(work).immediate();
  } catch (thrown) {
    throw storeError(thrown);
  }
}

function storeError(thrown: unknown): unknown {
  if (!(thrown instanceof Database.SqliteError)) return thrown;
  if (thrown.code.startsWith("SQLITE_CONSTRAINT")) {
    return new ClaypipeError(
      "input_invalid",
      `the SQLite store refused a write: ${thrown.message}`,
      {
        hint: "an id was used twice, or a record refers to a lead that does not exist",
        cause: thrown,
      },
    );
  }
  return new ClaypipeError("state_unavailable", `the SQLite store failed: ${thrown.message}`, {
    hint:
      thrown.code === "SQLITE_BUSY"
        ? "another process holds the database; run one claypipe process per SQLite file"
        : "check the disk (space, permissions) and the database file",
    cause: thrown,
  });
}

/** SQLite reads a negative LIMIT as "no limit"; a caller asking for none gets none. */
export function rowLimit(limit: number): number {
  return Math.max(0, Math.floor(limit));
}
