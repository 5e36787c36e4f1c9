/**
 * What every RateLimiter must do, on the real clock with lower bounds only (a
 * loaded machine makes waits longer, never shorter): the burst at once and then
 * computed waits, waiters in order, abort, the 429 pause that restarts from an
 * empty bucket, the count of 429s, and the adaptive cut and recovery. Each adapter's test file
 * calls it with a factory; adapter-specific checks (a manual clock to the
 * millisecond, several processes on one Redis key) stay in those files.
 */
import { describe, expect, it } from "vitest";
import type {
  AdaptiveRateOptions,
  RateLimiter,
} from "../../../src/clay/rate-limit/rate-limiter.js";
import { type Clock, systemClock } from "../../../src/core/clock.js";
import { settle } from "../manual-clock.js";

export interface LimiterUnderTest {
  limiter: RateLimiter;
  /** Resolves once the reports made so far (onRateLimited, onSuccess) have taken effect. */
  reported(): Promise<void>;
}

/** A fresh limiter on its own state, sleeping on `clock`; the test file closes it afterwards. */
export type RateLimiterFactory = (
  options: AdaptiveRateOptions & { clock: Clock },
) => Promise<LimiterUnderTest>;

/** The system clock, recording every sleep the limiter asks for. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  pending = 0;
  now(): number {
    return Date.now();
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.pending++;
    try {
      await systemClock.sleep(ms, signal);
    } finally {
      this.pending--;
    }
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function rateLimiterContract(name: string, create: RateLimiterFactory): void {
  const open = (options: Partial<AdaptiveRateOptions> = {}, clock: Clock = new RecordingClock()) =>
    create({ rateLimit: { perSecond: 10, burst: 20 }, clock, ...options });

  describe(`${name}: the rate limiter contract`, () => {
    it("lets burst × (1 − headroom) through at once, then sleeps exactly to each next token", async () => {
      const clock = new RecordingClock();
      const { limiter } = await open({ rateLimit: { perSecond: 50, burst: 8 } }, clock);
      const start = performance.now();
      const grants: Array<{ at: number; sleepsBefore: number }> = [];
      await Promise.all(
        Array.from({ length: 12 }, () =>
          limiter.acquire().then(() => {
            grants.push({ at: performance.now() - start, sleepsBefore: clock.sleeps.length });
          }),
        ),
      );
      // Burst: 8 × 0.75 = 6 tokens, taken without a single sleep.
      expect(grants.slice(0, 6).every((grant) => grant.sleepsBefore === 0)).toBe(true);
      // The 7th waited for its token: it slept, unless a loaded machine was so slow that the
      // token had refilled by then (the check below holds either way).
      expect(grants[6]!.sleepsBefore > 0 || grants[6]!.at >= 20 - 2).toBe(true);
      // Then never faster than 50/s: the n-th token after the burst is n × 20 ms away.
      grants.slice(6).forEach((grant, index) => {
        expect(grant.at).toBeGreaterThanOrEqual((index + 1) * 20 - 2);
      });
      // Computed waits, not polling: each sleep is at most one token's time, about one per grant.
      expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(20);
      expect(clock.sleeps.length).toBeLessThanOrEqual(12);
    });

    it("serves waiters in the order they asked", async () => {
      const { limiter } = await open({
        rateLimit: { perSecond: 100, burst: 20 },
        burstHeadroom: 0.95,
      });
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, (_, index) => limiter.acquire().then(() => order.push(index))),
      );
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it("rejects an aborted waiter, serves the ones behind it, and ends its timer with the last", async () => {
      const clock = new RecordingClock();
      const { limiter } = await open({ burstHeadroom: 0.95 }, clock);
      await expect(limiter.acquire(AbortSignal.abort(new Error("early")))).rejects.toThrow("early");
      await limiter.acquire();
      const abort = new AbortController();
      const first = limiter.acquire(abort.signal);
      const second = limiter.acquire();
      abort.abort(new Error("stop"));
      await expect(first).rejects.toThrow("stop");
      await second;

      const last = new AbortController();
      const waiting = limiter.acquire(last.signal).catch(() => "aborted");
      await until(() => clock.pending === 1);
      last.abort();
      expect(await waiting).toBe("aborted");
      await settle();
      expect(clock.pending).toBe(0);
    });

    it("pauses for Retry-After on 429, cuts the rate once per pause, and restarts empty", async () => {
      const { limiter, reported } = await open();
      const start = Date.now();
      limiter.onRateLimited(300);
      limiter.onRateLimited(300);
      await reported();
      expect(limiter.currentRate).toBeCloseTo(7);
      await Promise.all([limiter.acquire(), limiter.acquire()]);
      // 300 ms of pause, then the bucket restarts empty at 7/s: two tokens take 2/7 s more.
      expect(Date.now() - start).toBeGreaterThanOrEqual(300 + 2 * 143 - 20);
      expect(limiter.currentRate).toBeCloseTo(7);
    });

    it("pauses a default time without Retry-After, and never cuts below the floor", async () => {
      const { limiter, reported } = await open({ pauseWithoutRetryAfterMs: 200, minRate: 2 });
      for (let episode = 0; episode < 10; episode++) {
        limiter.onRateLimited(0);
        await reported();
      }
      expect(limiter.currentRate).toBe(2);
      const start = Date.now();
      limiter.onRateLimited();
      await reported();
      await limiter.acquire();
      // The default pause, then the first token of an empty bucket at 2/s.
      expect(Date.now() - start).toBeGreaterThanOrEqual(200 + 500 - 20);
      expect(limiter.currentRate).toBe(2);
    });

    it("counts every 429 it is told of, even the ones within a pause", async () => {
      const { limiter, reported } = await open();
      expect(await limiter.rateLimitedCount()).toBe(0);
      limiter.onRateLimited(50);
      limiter.onRateLimited(50);
      limiter.onSuccess();
      limiter.onRateLimited();
      await reported();
      expect(await limiter.rateLimitedCount()).toBe(3);
    });

    it("recovers additively on successes, up to the configured rate and no further", async () => {
      const { limiter, reported } = await open({ recoveryStep: 1 });
      limiter.onRateLimited(0);
      await reported();
      expect(limiter.currentRate).toBeCloseTo(7);
      limiter.onSuccess();
      await reported();
      expect(limiter.currentRate).toBeCloseTo(8);
      for (let i = 0; i < 10; i++) limiter.onSuccess();
      await reported();
      expect(limiter.currentRate).toBe(10);
    });
  });
}
