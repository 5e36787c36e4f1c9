/**
 * The lead store port: leads, their state, and the history of every change.
 * Every state change is a compare-and-set on the current state, so two
 * workers can never both move the same lead.
 */
import type { Lead } from "../core/lead.js";
import type { DeadReason, LeadState } from "../core/lead-state.js";

/** An enriched row as Clay's HTTP API column posted it. */
export type EnrichedRow = Record<string, unknown>;

export interface StoredLead {
  id: string;
  /** The intake source's name (config `sources[].name`). */
  source: string;
  workspace: string;
  /** The table's name in the config. */
  table: string;
  /** Same person ⇔ same key (see core/lead.ts identityKey). */
  identityKey: string;
  fields: Lead;
  state: LeadState;
  /** Why it is in this state (a DeadReason when dead). */
  reason: string | null;
  /** Lower runs first (web forms before CSV backfills). */
  priority: number;
  /** Sends so far; the callback token signs the attempt it belongs to. */
  attempt: number;
  /** Not before this time (ms) may the lead move on by itself (deferred, retrying, queued). */
  availableAt: number;
  /** When awaiting_callback: the moment it counts as missing (ms). */
  callbackDeadline: number | null;
  /** When a duplicate: the lead whose result it shares. */
  duplicateOf: string | null;
  result: EnrichedRow | null;
  /** Route names the router chose for the result. */
  routes: string[];
  createdAt: number;
  updatedAt: number;
}

export type NewLead = Pick<
  StoredLead,
  "id" | "source" | "workspace" | "table" | "identityKey" | "fields" | "priority"
> & {
  /**
   * A re-enrichment of this earlier version, by the named refresh schedule: it
   * is queued whatever the dedupe window holds (a refresh is meant to pay).
   */
  refreshOf?: { leadId: string; schedule: string };
  /** The `enrichIf` rule that keeps the lead from Clay: it is admitted as skipped. */
  skippedBy?: string;
};

export interface LeadEvent {
  leadId: string;
  at: number;
  from: LeadState | null;
  to: LeadState;
  reason: string | null;
}

/** What a transition may change besides the state. */
export interface LeadPatch {
  reason?: string | null;
  /** Where the lead goes now (a deferred lead re-resolved, or moved by a person). */
  workspace?: string;
  table?: string;
  attempt?: number;
  availableAt?: number;
  callbackDeadline?: number | null;
  duplicateOf?: string | null;
  result?: EnrichedRow | null;
  routes?: string[];
}

/** One lead's move in a batch (leads.transitionMany). */
export interface LeadMove {
  id: string;
  from: LeadState | readonly LeadState[];
  to: LeadState;
  patch?: LeadPatch;
}

export interface AdmitOptions {
  /** Leads of the same identity created after this time (ms) are duplicates. */
  dedupeSince: number;
  now: number;
}

/** What admission decided for one new lead. */
export type Admission =
  | { id: string; state: "queued" }
  | { id: string; state: "duplicate"; duplicateOf: string; original: StoredLead }
  | { id: string; state: "skipped"; rule: string };

export interface LeadListQuery {
  states?: LeadState[];
  /** Only these lead ids. */
  ids?: string[];
  reason?: DeadReason | string;
  /** The reason starts with this text. */
  reasonPrefix?: string;
  source?: string;
  /** The table's name in the config. */
  table?: string;
  createdAfter?: number;
  createdBefore?: number;
  /** Last moved at or after this time (ms): for a dead lead, when it died. */
  updatedAfter?: number;
  /** Last moved before this time (ms). */
  updatedBefore?: number;
  /** Only the leads of this identity (dedupe) key, exactly as stored: see core/lead.ts identityKey. */
  identityKey?: string;
  /** Only leads awaiting a callback whose deadline is before this time (ms): the overdue ones. */
  callbackDeadlineBefore?: number;
  /** A bounded partial match on one field: see LeadMatch. */
  match?: LeadMatch;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** @defaultValue 100 */
  limit?: number;
}

/** Rows a match scans per page at most, so a search over any number of leads stays a bounded walk. */
export const MATCH_SCAN_ROWS = 10_000;

/**
 * Leads whose field (of the lead, or of its enriched result) contains `text`,
 * ignoring ASCII case; no pattern, so the test is linear in the value. A page
 * with a match looks at up to `scan` leads (the other filters applied) in
 * cursor order and hands out a cursor after the last one it looked at, even
 * when none matched: the caller pages on to search further.
 */
export interface LeadMatch {
  /** A normalized field name (core/lead.ts normalizeFieldName). */
  field: string;
  text: string;
  /** @defaultValue "fields" */
  in?: "fields" | "result";
  /** @defaultValue MATCH_SCAN_ROWS, which is also the most allowed */
  scan?: number;
}

export interface WaitingCount {
  availableAt: number;
  count: number;
}

export interface LeaseQuery {
  workspace: string;
  /** The lane; every lane when absent. */
  priority?: number;
  limit: number;
  now: number;
  until: number;
}

export interface LeadStore {
  /**
   * Writes new leads durably, all or none, each as `received` and then, in the
   * same transaction, `skipped` (it has `skippedBy`), `duplicate` (a lead of the
   * same identity in the same workspace, neither dead nor skipped, created since
   * `dedupeSince`, exists) or `queued`. The original is the first such lead
   * admitted (admission order, not createdAt: callers' clocks differ across
   * processes); a skipped lead is never one. Concurrent admits of the same
   * identity, from any process, yield exactly one original.
   */
  admit(leads: NewLead[], options: AdmitOptions): Promise<Admission[]>;
  get(id: string): Promise<StoredLead | undefined>;
  history(id: string): Promise<LeadEvent[]>;
  /** When each of these leads first became `enriched` (from its history); absent when it never did. */
  enrichedAt(ids: string[]): Promise<Map<string, number>>;
  /**
   * Moves a lead from `from` to `to`, applying the patch and recording the event.
   * False when the lead is not in `from` any more (someone else moved it).
   */
  transition(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch?: LeadPatch,
    now?: number,
  ): Promise<boolean>;
  /**
   * The same move as `transition`, answering with the lead as it is after it
   * (undefined when the lead was not in `from`): a worker claims a lead and
   * reads it in one step.
   */
  transitionAndRead(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch?: LeadPatch,
    now?: number,
  ): Promise<StoredLead | undefined>;
  /**
   * `transition` of many leads in one step, each on its own: a lead not in its
   * `from` is left as it is. Each lead at most once. Returns the ids that moved.
   */
  transitionMany(moves: readonly LeadMove[], now?: number): Promise<Set<string>>;
  /**
   * Claims up to `limit` leads that are queued or retrying with availableAt ≤ now,
   * lowest priority first then oldest, moving each to `sending`.
   */
  claimDue(limit: number, now: number): Promise<StoredLead[]>;
  /**
   * Leases due leads of one workspace and priority lane to a transport that
   * carries them elsewhere (the BullMQ feeder): up to `limit` queued or
   * retrying leads with availableAt ≤ now, oldest first. Their availableAt moves
   * to `until`, so no other feeder takes them before then; their state stays.
   * Returns their ids in that order.
   */
  leaseDue(query: LeaseQuery): Promise<string[]>;
  /**
   * Leases enriched leads with availableAt ≤ now to one routing pass, oldest
   * first: their availableAt moves to `until` (state and history stay), and
   * leads another process is leasing at that moment are passed over, so
   * processes routing side by side take disjoint leads.
   */
  leaseEnriched(now: number, limit: number, until: number): Promise<StoredLead[]>;
  /** Leads in `state` whose availableAt (or callbackDeadline for awaiting_callback) ≤ now. */
  due(
    state: "deferred" | "awaiting_callback" | "sending" | "enriched" | "received" | "skipped",
    now: number,
    limit: number,
  ): Promise<StoredLead[]>;
  /** Duplicates waiting for the result of `originalIds` (one id, or many at once), oldest first. */
  duplicatesOf(originalIds: string | readonly string[]): Promise<StoredLead[]>;
  list(query: LeadListQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }>;
  countByState(): Promise<Record<LeadState, number>>;
  /** Leads in `state` per workspace (the ones that have any). */
  countByWorkspace(state: LeadState): Promise<Record<string, number>>;
  /**
   * Leads in `state` whose reason starts with `reasonPrefix`, counted per
   * availableAt, earliest first: how many wait, and until when.
   */
  countWaiting(state: LeadState, reasonPrefix: string): Promise<WaitingCount[]>;
  /** Removes dead leads for good (DLQ purge); returns how many went. */
  purge(ids: string[]): Promise<number>;
}
