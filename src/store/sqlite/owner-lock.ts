/**
 * One owner per SQLite store: the process that runs the pipeline's services on
 * the file (`claypipe start`, the demo) holds a write lock on a small sidecar
 * database, `<store>-owner`, for as long as it lives. The lock is SQLite's own
 * file lock, so the operating system drops it when the process ends in any way,
 * kill -9 included: nothing goes stale. A second owner is refused, naming the
 * holder the sidecar records; readers and writers that do not own (status,
 * dlq, import) never take it. The sidecar is never deleted: a process that
 * opened it just before would hold its lock on a file nobody else sees.
 */
import { realpathSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { ClaypipeError } from "../../core/errors.js";
import { openSqlite, type SqliteDatabase, type SqliteDriverName } from "./sqlite-driver.js";

export interface OwnerLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: number;
}

// Long enough to wait out another process's short commit of its holder row.
const BUSY_TIMEOUT_MS = 1000;

/**
 * The sidecar beside the store's real file: a symlink or another spelling of
 * the same file (`a/../f.db`) must find the same lock, or it escapes it.
 */
export function ownerLockPath(storePath: string): string {
  return `${realStorePath(storePath)}-owner`;
}

function realStorePath(storePath: string): string {
  try {
    return realpathSync(storePath);
  } catch {
    // Not created yet: its folder is real, its name is the one it will have.
    return join(realpathSync(dirname(storePath)), basename(storePath));
  }
}

/** Takes the store's owner lock, or throws naming the process that holds it. */
export function claimOwnerLock(storePath: string, driver?: SqliteDriverName): OwnerLock {
  const path = ownerLockPath(storePath);
  let db: SqliteDatabase;
  try {
    db = openSqlite(path, { driver });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) throw thrown;
    throw new ClaypipeError("state_unavailable", `could not open the store's owner lock ${path}`, {
      hint: "check that the folder of store.sqlite.path is writable",
      cause: thrown,
    });
  }
  try {
    // Record this process as the holder, then hold the write lock for the process's life.
    // Another process may win the lock between the two steps: the second then fails, and
    // the holder it reads is that winner.
    lockOrRefuse(db, storePath);
    db.exec(`CREATE TABLE IF NOT EXISTS owner (
      id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL,
      since INTEGER NOT NULL)`);
    db.prepare<[number, string, number]>(
      "INSERT OR REPLACE INTO owner (id, pid, host, since) VALUES (1, ?, ?, ?)",
    ).run(process.pid, hostname(), Date.now());
    db.exec("COMMIT");
    lockOrRefuse(db, storePath);
  } catch (thrown) {
    db.close();
    throw thrown;
  }
  return {
    release() {
      db.close();
    },
  };
}

function lockOrRefuse(db: SqliteDatabase, storePath: string): void {
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (thrown) {
    if (db.errorKind(thrown) !== "busy") throw thrown;
    throw ownedElsewhere(storePath, readHolder(db), thrown);
  }
}

function readHolder(db: SqliteDatabase): Holder | undefined {
  try {
    return db.prepare<[], Holder>("SELECT pid, host, since FROM owner WHERE id = 1").get();
  } catch {
    // The holder is still writing its first row: it is known to exist, not who it is.
    return undefined;
  }
}

function ownedElsewhere(storePath: string, holder: Holder | undefined, cause: unknown) {
  const who = holder
    ? `process ${holder.pid} on ${holder.host}, running since ${new Date(holder.since).toISOString()}`
    : "another process";
  return new ClaypipeError(
    "state_unavailable",
    `the SQLite store ${storePath} is in use by another claypipe: ${who}`,
    {
      hint: "one process runs the pipeline on a SQLite file: stop the other `claypipe start` first (claypipe status, dlq and import may run beside it), or give this one its own store.sqlite.path",
      cause,
    },
  );
}
