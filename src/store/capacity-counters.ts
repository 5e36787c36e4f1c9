/**
 * The capacity counters port: counts of what Clay will not report back —
 * submissions per webhook source and rows per table. A reservation claims one
 * more of several counters at once, all of them or none, so a row is counted
 * against its webhook and its table together.
 *
 * A reservation counts even when the post later fails, as long as Clay may have
 * seen it: counting too many is safe, counting too few loses rows. Only a
 * reservation whose row provably never reached Clay (no connection was made)
 * is given back.
 */

export interface CapacityClaim {
  /** Which counter, e.g. "webhook:3f2a…" or "table:acme/leads". */
  key: string;
  /** The count the counter may reach and not pass. */
  limit: number;
}

export type ReserveResult = { ok: true } | { ok: false; exhaustedKey: string };

export interface CapacityCounters {
  /**
   * Adds one to every claimed counter when each stays within its limit;
   * otherwise changes nothing and names the first counter that is full.
   */
  tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult>;
  /** The current count; 0 for a counter never used. */
  get(key: string): Promise<number>;
  /**
   * Takes one off every listed counter (never below zero): gives back a
   * reservation whose row provably never reached Clay.
   */
  release(keys: readonly string[]): Promise<void>;
}

/** The check every adapter shares: the increments to apply, or the first key that would pass its limit. */
export function planReservation(
  claims: readonly CapacityClaim[],
  current: (key: string) => number,
): { ok: true; increments: Map<string, number> } | { ok: false; exhaustedKey: string } {
  const increments = new Map<string, number>();
  for (const { key, limit } of claims) {
    const next = (increments.get(key) ?? 0) + 1;
    if (current(key) + next > limit) return { ok: false, exhaustedKey: key };
    increments.set(key, next);
  }
  return { ok: true, increments };
}
