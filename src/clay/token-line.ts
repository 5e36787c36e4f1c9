/**
 * The line of callers waiting for a rate limiter's tokens, served in the order
 * they came. One pump at a time asks the bucket for a token; when there is
 * none it sleeps the wait the bucket named, then asks again. A caller may give
 * up (abort) while it waits; when the bucket cannot answer (Redis down),
 * everyone waiting fails alike instead of each waiting for its own timeout.
 */
import type { Clock } from "../core/clock.js";

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Takes a token and answers 0, or answers how many ms until one can be taken. */
export type TakeToken = () => number | Promise<number>;

export class TokenLine {
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private wake: AbortController | undefined;

  constructor(
    private readonly take: TakeToken,
    private readonly clock: Clock,
  ) {}

  get length(): number {
    return this.waiters.length;
  }

  /** Waits in line for a token; rejects with the signal's reason if the caller gives up first. */
  join(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: () => this.abandon(waiter) };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        let waitMs: number;
        try {
          waitMs = await this.take();
        } catch (error) {
          for (const waiter of this.waiters.splice(0)) this.settle(waiter).reject(error);
          break;
        }
        if (waitMs === 0) {
          // A waiter that gave up while the take was in flight leaves the token unused:
          // the workspace then sends less, never more.
          const waiter = this.waiters.shift();
          if (waiter) this.settle(waiter).resolve();
          continue;
        }
        this.wake = new AbortController();
        await this.clock.sleep(waitMs, this.wake.signal).catch(() => undefined);
      }
    } finally {
      this.pumping = false;
      this.wake = undefined;
    }
  }

  private abandon(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    // Nobody left to serve: end the pump's sleep so no timer outlives the work.
    if (this.waiters.length === 0) this.wake?.abort();
  }

  private settle(waiter: Waiter): Waiter {
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    return waiter;
  }
}
