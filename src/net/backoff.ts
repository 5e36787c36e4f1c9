/** Jittered exponential backoff, for Clay's webhooks and public API and for any other HTTP API we call. */

export interface BackoffOptions {
  /** The shortest delay, and the first retry's scale. */
  initialBackoffMs: number;
  /** The longest delay. */
  maxBackoffMs: number;
  /**
   * "full": uniform between initialBackoff and initialBackoff × 2^retry (capped);
   * "decorrelated": uniform between initialBackoff and 3 × the previous delay (capped).
   * @defaultValue "full"
   */
  jitter?: "full" | "decorrelated";
  /** A number in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next retry; every call is one more retry. */
  next(): number;
}

/** A backoff for one piece of work; every delay lies in [initialBackoffMs, maxBackoffMs]. */
export function createBackoff(options: BackoffOptions): Backoff {
  const random = options.random ?? Math.random;
  const floor = Math.min(options.initialBackoffMs, options.maxBackoffMs);
  const cap = options.maxBackoffMs;
  const between = (low: number, high: number) => low + random() * (Math.max(low, high) - low);
  let retries = 0;
  let previous = floor;
  return {
    next() {
      retries += 1;
      const delay =
        options.jitter === "decorrelated"
          ? Math.min(cap, between(floor, previous * 3))
          : between(floor, Math.min(cap, floor * 2 ** retries));
      previous = delay;
      return delay;
    },
  };
}
