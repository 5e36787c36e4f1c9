/**
 * Capacity counters in memory: for tests and dry runs. They forget everything
 * on exit, so they suit nothing that must survive a restart.
 */
import {
  type CapacityClaim,
  type CapacityCounters,
  planReservation,
  type ReserveResult,
} from "../capacity-counters.js";

export class MemoryCapacityCounters implements CapacityCounters {
  private readonly counts: Map<string, number>;

  constructor(initial: Record<string, number> = {}) {
    this.counts = new Map(Object.entries(initial));
  }

  // Check and update happen in one synchronous step, so concurrent callers cannot interleave.
  async tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    const plan = planReservation(claims, (key) => this.current(key));
    if (!plan.ok) return plan;
    for (const [key, increment] of plan.increments)
      this.counts.set(key, this.current(key) + increment);
    return { ok: true };
  }

  async get(key: string): Promise<number> {
    return this.current(key);
  }

  async release(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.counts.set(key, Math.max(0, this.current(key) - 1));
  }

  private current(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
