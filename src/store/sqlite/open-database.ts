/**
 * Opens the SQLite file behind the embedded Store: creates its folder, and sets
 * the pragmas that make a commit durable (WAL, synchronous = FULL), checkpoint
 * the WAL less often, and let a second connection wait for the writer instead
 * of failing at once.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ClaypipeError } from "../../core/errors.js";
import { openSqlite, type SqliteDatabase, type SqliteDriverName } from "./sqlite-driver.js";

export type { SqliteDatabase } from "./sqlite-driver.js";

export interface OpenDatabaseOptions {
  /** The database file; ":memory:" for a private in-memory database. */
  path: string;
  /**
   * How long a connection waits for another one's write lock, in ms.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
  /** The SQLite driver; see OpenSqliteOptions.driver for the default. */
  driver?: SqliteDriverName;
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const { path, busyTimeoutMs = 5000 } = options;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = openSqlite(path, { driver: options.driver });
    try {
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      db.exec("PRAGMA journal_mode = WAL");
      // FULL syncs the WAL on every commit: a committed transaction survives power loss.
      db.exec("PRAGMA synchronous = FULL");
      // A checkpoint copies the WAL's pages into the database file and syncs it. Every 10,000
      // pages (40 MB) instead of SQLite's 1,000, a page that several commits changed in between
      // (an index keyed by email takes inserts all over) is copied once: a CSV import wrote a
      // quarter fewer bytes. Durability is the WAL's, which each commit still syncs.
      db.exec("PRAGMA wal_autocheckpoint = 10000");
      db.exec("PRAGMA foreign_keys = ON");
      return db;
    } catch (thrown) {
      db.close();
      throw thrown;
    }
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) throw thrown;
    throw new ClaypipeError("state_unavailable", `could not open the SQLite store at ${path}`, {
      hint: "check that store.sqlite.path points at a writable file that is a SQLite database",
      cause: thrown,
    });
  }
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE, so two connections
 * never deadlock upgrading a read lock) and turns SQLite failures into a
 * ClaypipeError the caller can branch on. `work` is synchronous, so no other
 * call of this process runs inside the transaction.
 */
export function writeTransaction<T>(db: SqliteDatabase, work: () => T): T {
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (thrown) {
    throw storeError(db, thrown);
  }
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (thrown) {
    rollback(db);
    throw storeError(db, thrown);
  }
}

function rollback(db: SqliteDatabase): void {
  try {
    db.exec("ROLLBACK");
  } catch {
    // SQLite already rolled back on its own after some failures (a full disk, an I/O error).
  }
}

function storeError(db: SqliteDatabase, thrown: unknown): unknown {
  const kind = db.errorKind(thrown);
  if (kind === undefined) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (kind === "constraint") {
    return new ClaypipeError("input_invalid", `the SQLite store refused a write: ${message}`, {
      hint: "an id was used twice, or a record refers to a lead that does not exist",
      cause: thrown,
    });
  }
  return new ClaypipeError("state_unavailable", `the SQLite store failed: ${message}`, {
    hint:
      kind === "busy"
        ? "another process holds the database; run one claypipe process per SQLite file"
        : "check the disk (space, permissions) and the database file",
    cause: thrown,
  });
}

/** SQLite reads a negative LIMIT as "no limit"; a caller asking for none gets none. */
export function rowLimit(limit: number): number {
  return Math.max(0, Math.floor(limit));
}
