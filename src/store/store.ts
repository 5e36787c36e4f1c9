/**
 * The Store: everything claypipe persists, as several small ports an adapter
 * implements over one database (SQLite for the embedded tier, PostgreSQL for
 * the queue and event tiers).
 */

import type { CallbackInbox } from "./callback-inbox.js";
import type { CapacityCounters } from "./capacity-counters.js";
import type { CreditLedger } from "./credit-ledger.js";
import type { DeliveryStore } from "./delivery-store.js";
import type { LeadStore } from "./lead-store.js";
import type { LeadVersions } from "./lead-versions.js";
import type { RefreshSchedules } from "./refresh-schedules.js";
import type { TransitionFeed } from "./transition-feed.js";
import type { WorkerRegistry } from "./worker-registry.js";

export interface Store {
  readonly leads: LeadStore;
  readonly inbox: CallbackInbox;
  readonly ledger: CreditLedger;
  readonly counters: CapacityCounters;
  readonly deliveries: DeliveryStore;
  /** Each person's earlier results: change detection and the stale versions a refresh renews. */
  readonly versions: LeadVersions;
  readonly refreshSchedules: RefreshSchedules;
  /** The processes running the pipeline on this store, each as its latest beat. */
  readonly workers: WorkerRegistry;
  /**
   * Every lead's transitions in commit order, from a position kept under `name`
   * (one per publisher); a store several processes share has it.
   */
  transitionFeed?(name: string): TransitionFeed;
  /** Several processes may share it (false for an embedded file). */
  readonly supportsMultipleProcesses: boolean;
  /**
   * Makes this process the one that runs the pipeline's services on a store
   * only one process may run (SQLite), until it closes the store or exits;
   * throws while another process holds it. Shared stores have no owner.
   */
  claimOwnership?(): Promise<void>;
  close(): Promise<void>;
}

export type { CallbackInbox, InboxEntry, NewCallback } from "./callback-inbox.js";
export type { CreditCap, CreditLedger, Credits, ReserveCreditsResult } from "./credit-ledger.js";
export type { DeliveryState, DeliveryStore, SinkDelivery } from "./delivery-store.js";
export type {
  Admission,
  AdmitOptions,
  EnrichedRow,
  LeadEvent,
  LeadListQuery,
  LeadMatch,
  LeadPatch,
  LeadStore,
  LeaseQuery,
  NewLead,
  StoredLead,
} from "./lead-store.js";
export type { LeadVersions, PreviousVersion, StaleQuery } from "./lead-versions.js";
export type {
  RefreshFigures,
  RefreshScheduleState,
  RefreshSchedules,
} from "./refresh-schedules.js";
export type { Transition, TransitionFeed } from "./transition-feed.js";
export type { WorkerBeat, WorkerRegistry } from "./worker-registry.js";
