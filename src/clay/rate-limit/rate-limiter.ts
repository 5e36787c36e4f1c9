/**
 * The rate limiter port: one per Clay workspace, shared by every sender of that
 * workspace. The local adapter serves one process; a shared backend (Redis) will
 * serve many processes behind the same interface.
 */

export interface RateLimiter {
  /**
   * Resolves when one request may be sent now. Waiters are served in the order
   * they asked. Rejects with the signal's reason when `signal` aborts.
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Clay answered 429: pause for `retryAfterMs` (or a backoff when absent) and slow down. */
  onRateLimited(retryAfterMs?: number): void;
  /** Clay accepted a request: the rate may recover toward the configured one. */
  onSuccess(): void;
  /**
   * How many 429s the limiter was told of (`onRateLimited`) since it began
   * counting: this process's for a local limiter, every process's for a shared
   * one. It only grows, so the difference of two reads is the 429s between them.
   */
  rateLimitedCount(): Promise<number>;
  /** Requests per second allowed right now. */
  readonly currentRate: number;
}

/** How a workspace limiter behaves, whichever process-scope it has (one process, or all via Redis). */
export interface AdaptiveRateOptions {
  /** The workspace's limit, as configured (`clay.workspaces[].rateLimit`). */
  rateLimit: { perSecond: number; burst: number };
  /** Share of the burst left unused, so network jitter never empties Clay's bucket. @defaultValue 0.25 */
  burstHeadroom?: number;
  /** Factor applied to the rate on a 429. @defaultValue 0.7 */
  decreaseFactor?: number;
  /** Lowest rate a 429 can cut to, per second (never above the configured rate). @defaultValue 1 */
  minRate?: number;
  /** Rate regained per accepted request, per second. @defaultValue rateLimit.perSecond / 50 */
  recoveryStep?: number;
  /** Pause after a 429 that carries no Retry-After. @defaultValue 1000 */
  pauseWithoutRetryAfterMs?: number;
}
