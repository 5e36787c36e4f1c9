/**
 * The sink delivery port: one row per (lead, sink). A delivery that keeps
 * failing ends `dead` in that sink's own dead letter; a replay sends the stored
 * result again and never re-enriches.
 */

export type DeliveryState = "pending" | "delivered" | "dead";

export interface SinkDelivery {
  leadId: string;
  sink: string;
  route: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  availableAt: number;
  updatedAt: number;
}

/** A page of dead deliveries, newest death last, as the DLQ view pages them. */
export interface DeadDeliveryQuery {
  sink?: string;
  /** Only deliveries whose last error contains this text (plain text, case kept). */
  errorContains?: string;
  /** Only deliveries of leads from this intake source. */
  source?: string;
  /** Died (last moved) at or after this time (ms). */
  diedAfter?: number;
  /** Died before this time (ms). */
  diedBefore?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** @defaultValue 100 */
  limit?: number;
}

export interface DeliveryStore {
  /** Creates pending deliveries; an existing (lead, sink) pair is left as it is. */
  schedule(
    deliveries: Array<{ leadId: string; sink: string; route: string }>,
    now: number,
  ): Promise<void>;
  /**
   * Leases a sink's pending deliveries with availableAt ≤ now, oldest first:
   * their availableAt moves to `until`, so no other worker takes them before
   * then (marking one delivered or failed ends its lease).
   */
  lease(sink: string, now: number, limit: number, until: number): Promise<SinkDelivery[]>;
  /**
   * Keeps a lease going: the sink's deliveries of these leads that are still
   * pending become available at `until`. A worker renews what it holds while
   * its sink call lasts, so leases stay short and a dead worker's deliveries
   * soon go to another.
   */
  renewLease(sink: string, leadIds: string[], until: number): Promise<void>;
  /** Marks the sink's pending delivery of each lead (one id, or a batch at once) delivered. */
  markDelivered(leadIds: string | readonly string[], sink: string, now: number): Promise<void>;
  /** Records a failed try: back to pending at `retryAt`, or dead when `retryAt` is null. */
  markFailed(
    leadId: string,
    sink: string,
    error: string,
    retryAt: number | null,
    now: number,
  ): Promise<void>;
  forLead(leadId: string): Promise<SinkDelivery[]>;
  /** Dead deliveries, optionally of one sink. */
  dead(sink?: string, limit?: number): Promise<SinkDelivery[]>;
  /** Dead deliveries matching the query, oldest death first, a page at a time. */
  listDead(
    query: DeadDeliveryQuery,
  ): Promise<{ deliveries: SinkDelivery[]; nextCursor: string | null }>;
  /** How many deliveries are dead, of every sink. */
  countDead(): Promise<number>;
  /** Dead deliveries back to pending now; returns how many. */
  revive(filter: { sink?: string; leadIds?: string[] }, now: number): Promise<number>;
  /**
   * How many times a delivery became delivered, for activity over time: a
   * running total kept as deliveries are marked, so reading it is constant
   * time and it only grows (purging dead leads leaves it as it is).
   */
  countDelivered(): Promise<number>;
  /**
   * Of these leads, those whose every delivery is delivered or dead, each
   * with its deliveries ordered by sink (a lead with none comes back with
   * none: the pipeline decides what that means): one read for the last move
   * of a batch of leads.
   */
  settledLeads(leadIds: string[]): Promise<Map<string, SinkDelivery[]>>;
}
