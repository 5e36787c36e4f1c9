/**
 * Timings that exist because other processes share the store (the queue and
 * event tiers): this process cannot hear their events, and one that dies
 * holding work must leave it to the others. Derived from the store's
 * capability, so no tier sets them by hand.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { Store } from "../store/store.js";

/** How often a waiting `enrich()` reads the store when another process may move its lead. */
const SHARED_STORE_POLL_MS = 500;
/**
 * How often the inbox loop looks for callbacks another process took in (the
 * queue tier's API answers Clay, a worker routes): the longest a result waits
 * there. One indexed claim that finds nothing costs a worker a fraction of a
 * millisecond, 20 times a second.
 */
const SHARED_INBOX_POLL_MS = 50;
/**
 * The same where the store wakes the loop on every append (PostgreSQL's
 * NOTIFY): the poll only covers a listening connection that was down.
 */
const NOTIFIED_INBOX_POLL_MS = 250;
/** A sink delivery lease when the config names no lock duration of its own. */
const DEFAULT_SHARED_LEASE_MS = 30_000;

export interface SharedStoreTimings {
  /** A waiting `enrich()` reads the store this often too (undefined: events are enough). */
  storePollMs?: number;
  /** The inbox loop's poll (undefined: the loop's default, its callbacks wake it in-process). */
  inboxPollMs?: number;
  /** How long one process holds the sink deliveries it took (0: not leased). */
  deliveryLeaseMs: number;
}

export function sharedStoreTimings(config: ClaypipeConfig, store: Store): SharedStoreTimings {
  if (!store.supportsMultipleProcesses) return { deliveryLeaseMs: 0 };
  return {
    storePollMs: SHARED_STORE_POLL_MS,
    inboxPollMs: store.inbox.onAppended ? NOTIFIED_INBOX_POLL_MS : SHARED_INBOX_POLL_MS,
    // A worker renews the deliveries it holds as the queue renews its jobs' locks: when it
    // stops (killed, frozen, cut off), another takes them after the same time.
    deliveryLeaseMs: config.queue?.lockDuration ?? DEFAULT_SHARED_LEASE_MS,
  };
}
