/**
 * First come, first served access to a token bucket: callers wait in line for a token,
 * and one pump hands them out as the bucket refills. One timer per queue, however long
 * the line, instead of every waiter polling the bucket.
 */
import { systemClock } from "../core/clock.js";
import { TokenBucket } from "../core/token-bucket.js";
import type { PendingWork } from "./pending-work.js";

export class RateLimitedQueue {
  private readonly bucket: TokenBucket;
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private head = 0;
  private pumping = false;

  constructor(
    rate: { ratePerSecond: number; burst: number },
    private readonly work: PendingWork,
  ) {
    this.bucket = new TokenBucket(rate, systemClock.now());
  }

  /** Resolves true once a token is taken, or false when the work is cancelled first. */
  take(): Promise<boolean> {
    if (this.waiting() === 0 && this.bucket.tryTake(systemClock.now()).ok) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (!this.pumping) {
        this.pumping = true;
        this.work.run(() => this.pump());
      }
    });
  }

  private async pump(): Promise<void> {
    try {
      while (this.waiting() > 0) {
        const taken = this.bucket.tryTake(systemClock.now());
        if (taken.ok) {
          this.next()(true);
          continue;
        }
        if (!(await this.work.sleep(taken.waitMs))) {
          while (this.waiting() > 0) this.next()(false);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private waiting(): number {
    return this.waiters.length - this.head;
  }

  // An index instead of Array.shift, which is linear on long lines.
  private next(): (granted: boolean) => void {
    const resolve = this.waiters[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
    return resolve;
  }
}
