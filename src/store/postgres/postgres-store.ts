/**
 * The Store on PostgreSQL, for the `queue` and `event` tiers: any number of
 * API and worker processes, on any number of machines, share one schema.
 * Opening loads `pg`, brings the schema up to date (once, whoever starts
 * first) and wires each port to one connection pool.
 */
import { type Clock, systemClock } from "../../core/clock.js";
import type { Store } from "../store.js";
import { migrate } from "./migrations.js";
import { PostgresCallbackInbox } from "./postgres-callback-inbox.js";
import { PostgresCapacityCounters } from "./postgres-capacity-counters.js";
import { PostgresCreditLedger } from "./postgres-credit-ledger.js";
import { openPostgresDatabase } from "./postgres-database.js";
import { PostgresDeliveryStore } from "./postgres-delivery-store.js";
import { PostgresLeadStore } from "./postgres-lead-store.js";
import { PostgresLeadVersions } from "./postgres-lead-versions.js";
import { PostgresRefreshSchedules } from "./postgres-refresh-schedules.js";
import { PostgresTransitionFeed } from "./postgres-transition-feed.js";
import { PostgresWorkerRegistry } from "./postgres-worker-registry.js";

export interface PostgresStoreOptions {
  /** Where the server is, e.g. "postgres://claypipe@db.internal:5432/claypipe". */
  connectionString: string;
  /**
   * The schema holding claypipe's tables, created when missing (letters, digits and `_`).
   * @defaultValue "claypipe"
   */
  schema?: string;
  /**
   * Time for writes that are not given one (a transition without `now`, marking callbacks processed).
   * @defaultValue systemClock
   */
  clock?: Clock;
  /**
   * Most connections this process opens to the server.
   * @defaultValue 10
   */
  poolSize?: number;
}

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const db = await openPostgresDatabase({
    connectionString: options.connectionString,
    schema: options.schema ?? "claypipe",
    poolSize: options.poolSize ?? 10,
  });
  try {
    await migrate(db);
  } catch (thrown) {
    await db.close();
    throw thrown;
  }
  const inbox = new PostgresCallbackInbox(db, clock);
  const store: Store = {
    leads: new PostgresLeadStore(db, clock),
    inbox,
    ledger: new PostgresCreditLedger(db),
    counters: new PostgresCapacityCounters(db),
    deliveries: new PostgresDeliveryStore(db),
    versions: new PostgresLeadVersions(db),
    refreshSchedules: new PostgresRefreshSchedules(db),
    workers: new PostgresWorkerRegistry(db),
    transitionFeed: (name) => new PostgresTransitionFeed(db, name),
    supportsMultipleProcesses: true,
    close: async () => {
      await inbox.close();
      await db.close();
    },
  };
  return Object.freeze(store);
}
