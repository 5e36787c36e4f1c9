/**
 * A sink's own rate limit: a token bucket at the sink's rate, and a wait for
 * the next token that ends at once when the delivery is aborted.
 */
import type { Clock } from "../core/clock.js";
import { TokenBucket } from "../core/token-bucket.js";

export interface SinkPacerOptions {
  ratePerSecond: number;
  /** Requests that may go at once after a quiet spell. @defaultValue max(1, ceil(ratePerSecond)) */
  burst?: number;
  clock: Clock;
}

export class SinkPacer {
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;

  constructor(options: SinkPacerOptions) {
    this.clock = options.clock;
    const burst = options.burst ?? Math.max(1, Math.ceil(options.ratePerSecond));
    this.bucket = new TokenBucket(
      { ratePerSecond: options.ratePerSecond, burst },
      options.clock.now(),
    );
  }

  /** Resolves when one request may go; rejects with the signal's reason when it aborts. */
  async take(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const take = this.bucket.tryTake(this.clock.now());
      if (take.ok) return;
      // Several deliveries may wait at once; each tries again when its wait ends.
      await this.clock.sleep(take.waitMs, signal);
    }
  }
}
