/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, at most `burst`
 * are held. Pure arithmetic over the time it is given, so the same code serves
 * the sender's limiter and the emulator's enforcement.
 */

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Tokens held at the start. @defaultValue burst */
  initialTokens?: number;
}

export type TakeResult = { ok: true } | { ok: false; waitMs: number };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private ratePerMs: number;
  private readonly burst: number;

  constructor(options: TokenBucketOptions, now: number) {
    this.ratePerMs = options.ratePerSecond / 1000;
    this.burst = options.burst;
    this.tokens = Math.min(options.initialTokens ?? options.burst, options.burst);
    this.updatedAt = now;
  }

  /** Takes `count` tokens if they are there; otherwise says how long until they are. */
  tryTake(now: number, count = 1): TakeResult {
    this.refill(now);
    if (this.tokens >= count) {
      this.tokens -= count;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil((count - this.tokens) / this.ratePerMs) };
  }

  /** Empties the bucket, e.g. after the far side said 429: nothing more until it refills. */
  drain(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Changes the refill rate, keeping the tokens already earned. */
  setRate(ratePerSecond: number, now: number): void {
    this.refill(now);
    this.ratePerMs = ratePerSecond / 1000;
  }

  get rate(): number {
    return this.ratePerMs * 1000;
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerMs);
    this.updatedAt = now;
  }
}
