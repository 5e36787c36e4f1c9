/**
 * The credit ledger port. Credits are money: the estimated cost of a lead is
 * reserved against every cap that applies before its row is sent, and settled
 * to the real cost when the callback comes (or released when it never will).
 * Reservation is atomic across all caps and all workers.
 */

export interface Credits {
  actions: number;
  data: number;
}

/** One cap: a budget for a scope ("workspace:main", "source:web") over one window. */
export interface CreditCap {
  scope: string;
  /** The window's key, e.g. "day:2026-11-25" or "month:2026-11". */
  window: string;
  limit: Partial<Credits>;
}

export type ReserveCreditsResult = { ok: true } | { ok: false; cap: CreditCap; used: Credits };

export interface CreditLedger {
  /** Reserves `estimate` for the lead under every cap, or none when any would pass its limit. */
  reserve(
    leadId: string,
    estimate: Credits,
    caps: CreditCap[],
    now: number,
  ): Promise<ReserveCreditsResult>;
  /** Replaces the lead's reservation with what it really cost. Idempotent. */
  settle(leadId: string, actual: Credits, now: number): Promise<void>;
  /** Gives the lead's reservation back (never sent, or never enriched). Idempotent. */
  release(leadId: string, now: number): Promise<void>;
  /** Reserved plus settled credits for a scope and window. */
  used(scope: string, window: string): Promise<Credits>;
  /** Credits saved by deduplication (estimated cost of each duplicate served). */
  recordSaved(leadId: string, saved: Credits, now: number): Promise<void>;
  saved(): Promise<Credits>;
}
