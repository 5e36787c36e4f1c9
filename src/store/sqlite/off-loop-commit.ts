/**
 * A durable write transaction whose fsync runs off the event loop, for group
 * commits. At synchronous = FULL SQLite fsyncs the WAL inside COMMIT, and both
 * drivers are synchronous, so the process stops for the disk on every commit
 * (0.2–1 ms here) and reads no request meanwhile. This commits at synchronous =
 * NORMAL instead (the frames are written to the WAL file, not synced), then
 * fdatasyncs the WAL file on libuv's thread pool and resolves only after that
 * returns: the transaction is on disk before the caller hears back, as with
 * FULL, while the event loop reads the requests of the next batch.
 *
 * Why syncing the WAL file is enough: a commit appends its frames to the WAL,
 * and recovery replays every frame up to the last commit whose checksums hold;
 * SQLite syncs the WAL's header itself whenever it starts the file over, and
 * syncs the WAL before a checkpoint copies it into the database. The WAL file
 * keeps its inode while the connection is open (SQLite deletes it only when
 * the last connection closes), so one descriptor, opened at the first commit,
 * serves every sync. Every other write keeps synchronous = FULL.
 */
import { closeSync, fdatasync, openSync } from "node:fs";
import { type SqliteDatabase, writeTransaction } from "./open-database.js";

export interface OffLoopCommit {
  /** Runs `work` in one write transaction; resolves once it is on disk. */
  commit<T>(work: () => T): Promise<T>;
  /** Lets go of the WAL file; call before the connection closes. */
  close(): void;
}

export function createOffLoopCommit(db: SqliteDatabase, path: string): OffLoopCommit {
  // Without a WAL (in memory, or a file system where SQLite could not turn it on) there is
  // no file to sync apart: such a commit stays at FULL, synced inside COMMIT.
  if (path === ":memory:" || !inWalMode(db)) {
    return { commit: async (work) => writeTransaction(db, work), close: () => undefined };
  }
  let wal: number | undefined;
  return {
    async commit(work) {
      db.exec("PRAGMA synchronous = NORMAL");
      let result: ReturnType<typeof work>;
      try {
        result = writeTransaction(db, work);
      } finally {
        db.exec("PRAGMA synchronous = FULL");
      }
      // Opened after a commit, so the WAL file exists.
      wal ??= openSync(`${path}-wal`, "r");
      const fd = wal;
      await new Promise<void>((resolve, reject) =>
        fdatasync(fd, (error) => (error ? reject(error) : resolve())),
      );
      return result;
    },
    close() {
      if (wal !== undefined) closeSync(wal);
      wal = undefined;
    },
  };
}

function inWalMode(db: SqliteDatabase): boolean {
  const row = db.prepare<[], { journal_mode: string }>("PRAGMA journal_mode").get();
  return row?.journal_mode.toLowerCase() === "wal";
}
