/**
 * HubSpot's burst limit is a rolling window: at most N requests in any W ms
 * (190 per 10 s for a private app). A token bucket cannot promise that (a full
 * bucket plus its refill lets 2N through in one window), so this keeps the
 * window itself, and counts it the way HubSpot sees it.
 *
 * HubSpot counts a request when it arrives, somewhere between our send and its
 * answer. So a request holds its slot while in flight and for W ms after its
 * answer: a new request then always arrives at least W ms after any request
 * that left its slot, whatever the network did to either.
 */
import type { Clock } from "../../core/clock.js";

export interface RequestWindowOptions {
  /** Requests allowed in one window. */
  requests: number;
  /** The window's length. */
  perMs: number;
  clock: Clock;
}

export class HubspotRequestWindow {
  private readonly requests: number;
  private readonly perMs: number;
  private readonly clock: Clock;
  /** When each finished request that still holds a slot got its answer, oldest first. */
  private readonly finishedAt: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private wake = new AbortController();

  constructor(options: RequestWindowOptions) {
    this.requests = options.requests;
    this.perMs = options.perMs;
    this.clock = options.clock;
  }

  /**
   * Resolves when one request may be sent, callers served in order, and returns
   * the function to call once its answer (or failure) came. Rejects with the
   * signal's reason when `signal` aborts.
   */
  async acquire(signal: AbortSignal): Promise<() => void> {
    const turn = this.queue.then(() => this.takeSlot(signal));
    this.queue = turn.catch(() => undefined);
    await turn;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.finishedAt.push(this.clock.now());
      this.wakeWaiter();
    };
  }

  /** HubSpot said 429: nobody sends before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private async takeSlot(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const now = this.clock.now();
      while (this.finishedAt.length > 0 && this.finishedAt[0]! + this.perMs <= now) {
        this.finishedAt.shift();
      }
      let waitMs: number;
      if (now < this.pausedUntil) waitMs = this.pausedUntil - now;
      else if (this.inFlight + this.finishedAt.length < this.requests) {
        // Taken here, synchronously, so the next caller in line sees it.
        this.inFlight += 1;
        return;
      } else if (this.finishedAt.length > 0) waitMs = this.finishedAt[0]! + this.perMs - now;
      // Every slot is held by a request in flight: its answer wakes us; the timeout is a safety net.
      else waitMs = this.perMs;
      await this.clock
        .sleep(waitMs, AbortSignal.any([signal, this.wake.signal]))
        .catch(() => signal.throwIfAborted());
    }
  }

  private wakeWaiter(): void {
    this.wake.abort();
    this.wake = new AbortController();
  }
}
