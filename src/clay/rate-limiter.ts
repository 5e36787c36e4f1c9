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
  /** Requests per second allowed right now. */
  readonly currentRate: number;
}
