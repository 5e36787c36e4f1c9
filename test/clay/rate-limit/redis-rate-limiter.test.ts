/**
 * The Redis rate limiter against the real Redis: first the shared bucket's
 * arithmetic at times the test chooses, then the rate limiter contract in real
 * time, then what only a shared limiter does — a pause and a rate shared between
 * instances, and Redis going away and coming back.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  RedisRateLimiter,
  type RedisRateLimiterOptions,
} from "../../../src/clay/rate-limit/redis-rate-limiter.js";
import {
  type RateBucket,
  type RateOperation,
  runRateScript,
} from "../../../src/clay/rate-limit/redis-rate-script.js";
import { ClaypipeError } from "../../../src/core/errors.js";
import { freePort } from "../../../src/demo/free-port.js";
import {
  connectRedis,
  deleteKeys,
  OwnRedisServer,
  uniquePrefix,
} from "../fixtures/redis-server.js";
import { settle } from "../manual-clock.js";
import { rateLimiterContract } from "./rate-limiter-contract.js";

const prefix = uniquePrefix("rate");
let redis: Redis;
const clients: Redis[] = [];
const limiters: RedisRateLimiter[] = [];
let keyNumber = 0;
const nextKey = () => `${prefix}:${keyNumber++}`;

beforeAll(async () => {
  redis = await connectRedis();
});

afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  if (!redis) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** A client of its own, as another worker process would have. */
async function ownClient(): Promise<Redis> {
  const client = await connectRedis();
  clients.push(client);
  return client;
}

function limiter(options: Partial<RedisRateLimiterOptions> & { key: string }): RedisRateLimiter {
  const created = new RedisRateLimiter({
    redis,
    rateLimit: { perSecond: 10, burst: 20 },
    ...options,
  });
  limiters.push(created);
  return created;
}

/**
 * Waits until the limiter's earlier reports on `client` have been answered and
 * handled. Commands on one connection are answered in order, but a report can
 * take two round trips (EVALSHA, then EVAL when Redis lacks the script): two pings.
 */
async function drained(client: Redis): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await client.ping();
    await settle();
  }
}

describe("the shared bucket script, at chosen times", () => {
  const T0 = 1_700_000_000_000;
  const bucket: RateBucket = { perSecond: 10, burst: 15 };
  const run = (key: string, now: number, operation: RateOperation = { op: "take" }) =>
    runRateScript(redis, key, bucket, operation, now);
  const limited = (pauseMs: number, minRate = 1): RateOperation => ({
    op: "limited",
    pauseMs,
    decreaseFactor: 0.7,
    minRate,
  });

  it("grants the burst at once, then one token per 1/rate", async () => {
    const key = nextKey();
    for (let i = 0; i < 15; i++) expect(await run(key, T0)).toEqual({ waitMs: 0, rate: 10 });
    expect((await run(key, T0)).waitMs).toBe(100);
    expect((await run(key, T0 + 60)).waitMs).toBe(40);
    expect((await run(key, T0 + 100)).waitMs).toBe(0);
    expect((await run(key, T0 + 100)).waitMs).toBe(100);
    // A long idle refills to the burst and no further.
    for (let i = 0; i < 15; i++) expect((await run(key, T0 + 60_000)).waitMs).toBe(0);
    expect((await run(key, T0 + 60_000)).waitMs).toBe(100);
  });

  it("pauses for Retry-After, cuts the rate once per pause, and restarts empty", async () => {
    const key = nextKey();
    expect((await run(key, T0, limited(2_000))).rate).toBeCloseTo(7);
    expect((await run(key, T0 + 10, limited(2_000))).rate).toBeCloseTo(7);
    expect((await run(key, T0 + 1_999)).waitMs).toBe(11);
    // Tokens earned during the pause do not count: the first comes 1/7 s after it.
    expect((await run(key, T0 + 2_010)).waitMs).toBe(143);
    expect((await run(key, T0 + 2_153)).waitMs).toBe(0);
    expect((await run(key, T0 + 2_153)).waitMs).toBe(143);
    // The next 429 after the pause cuts again.
    expect((await run(key, T0 + 3_000, limited(0))).rate).toBeCloseTo(4.9);
  });

  it("never cuts below the floor, and recovers additively up to the configured rate", async () => {
    const key = nextKey();
    for (let episode = 0; episode < 10; episode++) {
      await run(key, T0 + episode * 500, limited(500, 2));
    }
    const success: RateOperation = { op: "success", recoveryStep: 1 };
    expect((await run(key, T0 + 5_000)).rate).toBe(2);
    expect((await run(key, T0 + 5_000, success)).rate).toBe(3);
    for (let i = 0; i < 10; i++) await run(key, T0 + 5_000, success);
    expect((await run(key, T0 + 5_000)).rate).toBe(10);
  });

  it("runs on Redis server time when given none, and lets an idle key expire", async () => {
    const key = nextKey();
    expect(await runRateScript(redis, key, bucket, { op: "take" })).toEqual({
      waitMs: 0,
      rate: 10,
    });
    const updated = Number(await redis.hget(key, "updated"));
    const [seconds] = await redis.time();
    expect(Math.abs(updated - Number(seconds) * 1000)).toBeLessThan(2_000);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_600_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000 + 1_500);
  });

  it("loads the script again after Redis forgot it", async () => {
    // A server of its own: flushing the shared one would touch other tests' scripts.
    const server = await OwnRedisServer.start();
    const own = new Redis(server.url);
    try {
      const key = nextKey();
      expect((await runRateScript(own, key, bucket, { op: "take" }, T0)).waitMs).toBe(0);
      await own.script("FLUSH");
      expect((await runRateScript(own, key, bucket, { op: "take" }, T0)).waitMs).toBe(0);
    } finally {
      own.disconnect();
      await server.stop();
    }
  });
});

rateLimiterContract("RedisRateLimiter", async (options) => {
  const created = limiter({ key: nextKey(), ...options });
  await created.connect();
  return { limiter: created, reported: () => drained(redis) };
});

describe("RedisRateLimiter", () => {
  it("holds every instance on the key through a 429 another one saw, with one cut per pause", async () => {
    const key = nextKey();
    const clientA = await ownClient();
    const clientB = await ownClient();
    const a = limiter({ key, redis: clientA });
    const b = limiter({ key, redis: clientB });
    a.onRateLimited(300);
    await drained(clientA);
    b.onRateLimited(300);
    await drained(clientB);
    const start = Date.now();
    await Promise.all([a.acquire(), b.acquire()]);
    // 300 ms of pause, then the bucket restarts empty at 7/s: two tokens take 2/7 s more.
    expect(Date.now() - start).toBeGreaterThanOrEqual(300 + 2 * 143 - 20);
    expect(a.currentRate).toBeCloseTo(7);
    expect(b.currentRate).toBeCloseTo(7);
  });

  it("shares the adaptive cut and the recovery between instances", async () => {
    const key = nextKey();
    const clientA = await ownClient();
    const clientB = await ownClient();
    const a = limiter({ key, redis: clientA, recoveryStep: 1 });
    const b = limiter({ key, redis: clientB, recoveryStep: 1 });
    a.onRateLimited(0);
    await drained(clientA);
    expect(a.currentRate).toBeCloseTo(7);
    b.onSuccess();
    b.onSuccess();
    await drained(clientB);
    expect(b.currentRate).toBeCloseTo(9);
    await a.acquire();
    expect(a.currentRate).toBeCloseTo(9);
    for (let i = 0; i < 5; i++) a.onSuccess();
    await drained(clientA);
    await b.acquire();
    expect(b.currentRate).toBe(10);
  });

  it("counts the 429s of every instance on the key, and keeps the count when the bucket expires", async () => {
    const key = nextKey();
    const clientA = await ownClient();
    const clientB = await ownClient();
    const a = limiter({ key, redis: clientA });
    const b = limiter({ key, redis: clientB });
    a.onRateLimited(0);
    b.onRateLimited(0);
    b.onRateLimited(0);
    await Promise.all([drained(clientA), drained(clientB)]);
    expect(await a.rateLimitedCount()).toBe(3);
    // An idle bucket expires and starts again full; the running total stays.
    await redis.del(key);
    expect(await b.rateLimitedCount()).toBe(3);
    expect(await limiter({ key: nextKey() }).rateLimitedCount()).toBe(0);
  });

  it("fails every waiter with state_unavailable, naming Redis, when Redis cannot be reached", async () => {
    const port = await freePort();
    const unreachable = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
    unreachable.on("error", () => undefined);
    clients.push(unreachable);
    const subject = limiter({ key: nextKey(), redis: unreachable, commandTimeoutMs: 300 });
    const results = await Promise.allSettled([subject.acquire(), subject.acquire()]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(ClaypipeError);
      expect(error).toMatchObject({ code: "state_unavailable" });
      expect((error as ClaypipeError).message).toContain(`Redis at 127.0.0.1:${port}`);
      expect((error as ClaypipeError).hint).toMatch(/Redis/);
    }
  });

  it("fails while its own Redis is down, goes on by itself once it is back, and stops at close", async () => {
    const server = await OwnRedisServer.start();
    try {
      const subject = limiter({
        key: nextKey(),
        redis: { url: server.url },
        commandTimeoutMs: 500,
      });
      await subject.acquire();
      await server.stop();
      await expect(subject.acquire()).rejects.toMatchObject({ code: "state_unavailable" });
      await server.resume();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await subject.acquire();
          break;
        } catch (error) {
          expect(error).toMatchObject({ code: "state_unavailable" });
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await subject.close();
      await expect(subject.acquire()).rejects.toThrow(/closed/);
    } finally {
      await server.stop();
    }
  });
});
