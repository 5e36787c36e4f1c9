/**
 * The Store on one SQLite file, for the embedded `standard` tier: opens the
 * file, brings its schema up to date, and wires each port to the same
 * connection. Both SQLite drivers are synchronous, so each port call is one
 * transaction that no other call of this process can interleave with.
 */
import { type Clock, systemClock } from "../../core/clock.js";
import type { Store } from "../store.js";
import { migrate } from "./migrations.js";
import { createOffLoopCommit } from "./off-loop-commit.js";
import { openDatabase } from "./open-database.js";
import { claimOwnerLock, type OwnerLock } from "./owner-lock.js";
import { SqliteCallbackInbox } from "./sqlite-callback-inbox.js";
import { SqliteCapacityCounters } from "./sqlite-capacity-counters.js";
import { SqliteCreditLedger } from "./sqlite-credit-ledger.js";
import { SqliteDeliveryStore } from "./sqlite-delivery-store.js";
import type { SqliteDriverName } from "./sqlite-driver.js";
import { SqliteLeadStore } from "./sqlite-lead-store.js";
import { SqliteLeadVersions } from "./sqlite-lead-versions.js";
import { SqliteRefreshSchedules } from "./sqlite-refresh-schedules.js";
import { SqliteWorkerRegistry } from "./sqlite-worker-registry.js";

export interface SqliteStoreOptions {
  /** The database file, created with its folder when missing; ":memory:" for a throwaway store. */
  path: string;
  /**
   * Time for writes that are not given one (a transition without `now`, marking callbacks processed).
   * @defaultValue systemClock
   */
  clock?: Clock;
  /**
   * The SQLite driver: "node:sqlite" (built into Node.js 22.13+) or "better-sqlite3".
   * @defaultValue CLAYPIPE_SQLITE_DRIVER when set, else node:sqlite where this Node.js has it
   */
  driver?: SqliteDriverName;
}

export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const db = openDatabase({ path: options.path, driver: options.driver });
  let owner: OwnerLock | undefined;
  const appends = createOffLoopCommit(db, options.path);
  try {
    migrate(db, options.path);
    const store: Store = {
      leads: new SqliteLeadStore(db, clock),
      inbox: new SqliteCallbackInbox(db, clock, appends),
      ledger: new SqliteCreditLedger(db),
      counters: new SqliteCapacityCounters(db),
      deliveries: new SqliteDeliveryStore(db),
      versions: new SqliteLeadVersions(db),
      refreshSchedules: new SqliteRefreshSchedules(db),
      workers: new SqliteWorkerRegistry(db),
      supportsMultipleProcesses: false,
      async claimOwnership() {
        if (owner || options.path === ":memory:") return;
        owner = claimOwnerLock(options.path, db.driver);
      },
      async close() {
        appends.close();
        db.close();
        owner?.release();
        owner = undefined;
      },
    };
    return Object.freeze(store);
  } catch (thrown) {
    db.close();
    throw thrown;
  }
}
