/**
 * The rate limiter for one Clay workspace within this process: a token bucket at
 * the workspace rate, with part of the burst held back, serving waiters in
 * order. Waits are computed from the bucket, never polled, so the achieved rate
 * stays at the allowed one. On 429 it pauses (Retry-After, or a fixed pause) and
 * cuts the rate; accepted requests bring the rate back additively.
 *
 * Create one per workspace and share it between all senders of that workspace;
 * several processes need the shared (Redis) limiter instead.
 */

import { type Clock, systemClock } from "../../core/clock.js";
import { TokenBucket } from "../../core/token-bucket.js";
import { TokenLine } from "../token-line.js";
import type { AdaptiveRateOptions, RateLimiter } from "./rate-limiter.js";

export interface LocalRateLimiterOptions extends AdaptiveRateOptions {
  /** @defaultValue systemClock */
  clock?: Clock;
}

export class LocalRateLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly bucket: TokenBucket;
  private readonly configuredRate: number;
  private readonly minRate: number;
  private readonly decreaseFactor: number;
  private readonly recoveryStep: number;
  private readonly defaultPauseMs: number;
  private readonly line: TokenLine;
  private pausedUntil = 0;
  private resumeEmpty = false;
  private rateLimited = 0;

  constructor(options: LocalRateLimiterOptions) {
    const { perSecond, burst } = options.rateLimit;
    this.clock = options.clock ?? systemClock;
    this.configuredRate = perSecond;
    this.minRate = Math.min(options.minRate ?? 1, perSecond);
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.recoveryStep = options.recoveryStep ?? perSecond / 50;
    this.defaultPauseMs = options.pauseWithoutRetryAfterMs ?? 1000;
    const usableBurst = Math.max(1, Math.floor(burst * (1 - (options.burstHeadroom ?? 0.25))));
    this.bucket = new TokenBucket(
      { ratePerSecond: perSecond, burst: usableBurst },
      this.clock.now(),
    );
    this.line = new TokenLine(() => this.waitBeforeTake(this.clock.now()), this.clock);
  }

  get currentRate(): number {
    return this.bucket.rate;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.line.length === 0 && this.waitBeforeTake(this.clock.now()) === 0) {
      return Promise.resolve();
    }
    return this.line.join(signal);
  }

  onRateLimited(retryAfterMs?: number): void {
    this.rateLimited += 1;
    const now = this.clock.now();
    // The requests in flight when Clay said 429 get 429 too: one cut per pause, not one per answer.
    if (now >= this.pausedUntil) {
      this.bucket.setRate(Math.max(this.minRate, this.bucket.rate * this.decreaseFactor), now);
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? this.defaultPauseMs));
    this.resumeEmpty = true;
  }

  /** The 429s this process was told of since the limiter was made. */
  async rateLimitedCount(): Promise<number> {
    return this.rateLimited;
  }

  onSuccess(): void {
    const rate = this.bucket.rate;
    if (rate < this.configuredRate) {
      this.bucket.setRate(
        Math.min(this.configuredRate, rate + this.recoveryStep),
        this.clock.now(),
      );
    }
  }

  /** Takes a token and returns 0, or returns how long until one can be taken. */
  private waitBeforeTake(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    if (this.resumeEmpty) {
      // Clay's bucket was empty when it said 429: start again from empty, not with tokens earned while paused.
      this.bucket.drain(this.pausedUntil);
      this.resumeEmpty = false;
    }
    const take = this.bucket.tryTake(now);
    return take.ok ? 0 : take.waitMs;
  }
}
