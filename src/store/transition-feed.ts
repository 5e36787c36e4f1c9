/**
 * Every lifecycle transition of every lead, in the order the store committed
 * them, for a publisher that puts them on a bus (the event tier's
 * `claypipe.lead-events`). Only a store several processes share has one: the
 * feed keeps its own position, and one process at a time moves it.
 */
import type { LeadEvent } from "./lead-store.js";

export interface Transition extends LeadEvent {
  /** The lead's identity (its dedupe key), for ordering by person. */
  identityKey: string;
}

export interface TransitionFeed {
  /**
   * Hands up to `limit` transitions past the feed's position to `publish`, in
   * commit order, and moves the position past them once `publish` resolved
   * (when it rejects, the position stays: they come again). Resolves with how
   * many it handed over; 0 when there were none, or another process holds the
   * feed. A feed read for the first time starts at the transitions committed
   * from then on, not at the store's whole history.
   */
  publishNext(
    limit: number,
    publish: (transitions: Transition[]) => Promise<void>,
  ): Promise<number>;
}
