/**
 * The local rate limiter: the rate limiter contract in real time, then its
 * waits on a manual clock to the millisecond.
 */
import { describe, expect, it } from "vitest";
import { LocalRateLimiter } from "../../../src/clay/rate-limit/local-rate-limiter.js";
import { ManualClock, settle } from "../manual-clock.js";
import { rateLimiterContract } from "./rate-limiter-contract.js";

function limiter(
  clock: ManualClock,
  extra: Partial<ConstructorParameters<typeof LocalRateLimiter>[0]> = {},
) {
  return new LocalRateLimiter({ rateLimit: { perSecond: 10, burst: 20 }, clock, ...extra });
}

/** Starts `count` acquisitions and records the time each one resolves. */
function acquireMany(
  subject: LocalRateLimiter,
  clock: ManualClock,
  count: number,
  signal?: AbortSignal,
) {
  const times: number[] = [];
  const order: number[] = [];
  const start = clock.now();
  const all = Array.from({ length: count }, (_, index) =>
    subject.acquire(signal).then(() => {
      times.push(clock.now() - start);
      order.push(index);
    }),
  );
  return { times, order, all };
}

rateLimiterContract("LocalRateLimiter", async (options) => ({
  limiter: new LocalRateLimiter(options),
  reported: settle,
}));

// The same behaviours on a manual clock, to the millisecond.
describe("LocalRateLimiter", () => {
  it("lets burst × (1 − headroom) through at once, then one per 1/rate", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock);
    const { times } = acquireMany(subject, clock, 18);
    await settle();
    expect(times).toHaveLength(15);
    await clock.advance(99);
    expect(times).toHaveLength(15);
    await clock.advance(1);
    expect(times).toHaveLength(16);
    await clock.advance(200);
    expect(times.slice(15)).toEqual([100, 200, 300]);
  });

  it("serves waiters in the order they asked", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock, { burstHeadroom: 0.95 });
    const { order } = acquireMany(subject, clock, 10);
    await clock.advance(2_000);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("achieves the configured rate over a minute, burst included", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock);
    let acquired = 0;
    const stop = new AbortController();
    const loop = (async () => {
      for (;;) {
        await subject.acquire(stop.signal);
        acquired++;
      }
    })().catch(() => undefined);
    for (let second = 0; second < 60; second++) await clock.advance(1_000);
    expect(acquired).toBe(15 + 600);
    stop.abort();
    await loop;
  });

  it("rejects an aborted waiter and still serves the ones behind it", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock, { burstHeadroom: 0.95 });
    await subject.acquire();
    const abort = new AbortController();
    const first = subject.acquire(abort.signal);
    const second = acquireMany(subject, clock, 1);
    abort.abort(new Error("stop"));
    await expect(first).rejects.toThrow("stop");
    await clock.advance(100);
    expect(second.times).toEqual([100]);
    await expect(subject.acquire(AbortSignal.abort(new Error("early")))).rejects.toThrow("early");
  });

  it("ends its timer when the last waiter gives up", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock, { burstHeadroom: 0.95 });
    await subject.acquire();
    const abort = new AbortController();
    const waiting = subject.acquire(abort.signal).catch(() => "aborted");
    await settle();
    expect(clock.pending).toBe(1);
    abort.abort();
    expect(await waiting).toBe("aborted");
    await settle();
    expect(clock.pending).toBe(0);
  });

  it("pauses for Retry-After on 429, cuts the rate once per pause, and restarts empty", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock);
    subject.onRateLimited(2_000);
    subject.onRateLimited(2_000);
    expect(subject.currentRate).toBeCloseTo(7);
    const { times } = acquireMany(subject, clock, 2);
    await clock.advance(1_999);
    expect(times).toEqual([]);
    // Tokens earned during the pause do not count: the first comes 1/7 s after it.
    await clock.advance(1 + 143);
    expect(times).toEqual([2_143]);
    await clock.advance(1_000);
    expect(times).toHaveLength(2);
  });

  it("pauses a default time without Retry-After, and never cuts below the floor", async () => {
    const clock = new ManualClock();
    const subject = limiter(clock, { pauseWithoutRetryAfterMs: 500, minRate: 2 });
    for (let episode = 0; episode < 10; episode++) {
      subject.onRateLimited();
      await clock.advance(500);
    }
    expect(subject.currentRate).toBe(2);
    const { times } = acquireMany(subject, clock, 1);
    await clock.advance(500);
    expect(times).toEqual([500]);
  });

  it("recovers additively on successes, up to the configured rate and no further", () => {
    const clock = new ManualClock();
    const subject = limiter(clock, { recoveryStep: 1 });
    subject.onRateLimited(0);
    expect(subject.currentRate).toBeCloseTo(7);
    subject.onSuccess();
    expect(subject.currentRate).toBeCloseTo(8);
    for (let i = 0; i < 10; i++) subject.onSuccess();
    expect(subject.currentRate).toBe(10);
  });
});
