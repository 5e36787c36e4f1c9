/**
 * The rate limiter for one Clay workspace shared by any number of processes:
 * the token bucket lives in Redis (see redis-rate-script.ts) and runs on Redis
 * server time, so all workers together stay under the workspace's rate. Each
 * take either gets a token or learns the exact wait; the process sleeps that
 * long and asks again, serving its own waiters in the order they asked.
 *
 * A 429 seen by any worker pauses every worker until its Retry-After and cuts
 * the shared rate; successes anywhere bring it back additively. Same options
 * and behaviour as LocalRateLimiter, across processes.
 */

import { type Clock, systemClock } from "../../core/clock.js";
import { RedisConnection, type RedisSource } from "../../redis/redis-connection.js";
import { TokenLine } from "../token-line.js";
import type { AdaptiveRateOptions, RateLimiter } from "./rate-limiter.js";
import {
  type RateAnswer,
  type RateBucket,
  type RateOperation,
  rateLimitedKey,
  runRateScript,
} from "./redis-rate-script.js";

export interface RedisRateLimiterOptions extends AdaptiveRateOptions {
  /** An ioredis client the caller owns and closes, or a URL for a connection `close()` ends. */
  redis: RedisSource;
  /** The Redis key of the workspace's shared state, one per workspace, e.g. `claypipe:rate:<workspace>`. */
  key: string;
  /** Longest wait for Redis to answer before `acquire` fails with state_unavailable. @defaultValue 2000 */
  commandTimeoutMs?: number;
  /** Sleeps between takes; the bucket itself runs on Redis server time. @defaultValue systemClock */
  clock?: Clock;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly connection: RedisConnection;
  private readonly key: string;
  private readonly bucket: RateBucket;
  private readonly clock: Clock;
  private readonly minRate: number;
  private readonly decreaseFactor: number;
  private readonly recoveryStep: number;
  private readonly defaultPauseMs: number;
  private readonly commandTimeoutMs: number;
  private readonly line: TokenLine;
  private rate: number;

  constructor(options: RedisRateLimiterOptions) {
    const { perSecond, burst } = options.rateLimit;
    this.key = options.key;
    this.connection = new RedisConnection(options.redis, `the rate limit "${options.key}"`);
    this.clock = options.clock ?? systemClock;
    this.minRate = Math.min(options.minRate ?? 1, perSecond);
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.recoveryStep = options.recoveryStep ?? perSecond / 50;
    this.defaultPauseMs = options.pauseWithoutRetryAfterMs ?? 1000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    const usableBurst = Math.max(1, Math.floor(burst * (1 - (options.burstHeadroom ?? 0.25))));
    this.bucket = { perSecond, burst: usableBurst };
    this.rate = perSecond;
    this.line = new TokenLine(async () => (await this.run({ op: "take" })).waitMs, this.clock);
  }

  /** The shared rate as of this process's last answer from Redis. */
  get currentRate(): number {
    return this.rate;
  }

  /** Also rejects, with ClaypipeError("state_unavailable"), when Redis does not answer. */
  acquire(signal?: AbortSignal): Promise<void> {
    return this.line.join(signal);
  }

  onRateLimited(retryAfterMs?: number): void {
    this.report({
      op: "limited",
      pauseMs: retryAfterMs ?? this.defaultPauseMs,
      decreaseFactor: this.decreaseFactor,
      minRate: this.minRate,
    });
  }

  /**
   * The 429s every process of the workspace reported, kept in Redis next to
   * the bucket (and, unlike the bucket, never expiring). Fails with
   * state_unavailable when Redis does not answer.
   */
  async rateLimitedCount(): Promise<number> {
    const count = await this.connection.run(
      (redis) => redis.get(rateLimitedKey(this.key)),
      this.commandTimeoutMs,
    );
    return Number(count ?? 0);
  }

  onSuccess(): void {
    this.report({ op: "success", recoveryStep: this.recoveryStep });
  }

  /**
   * Resolves once Redis answers, or fails with state_unavailable. `acquire` needs
   * no call first; this lets a worker fail at start and keeps its first send fast.
   */
  async connect(): Promise<void> {
    await this.connection.run((redis) => redis.ping(), this.commandTimeoutMs);
  }

  /**
   * For shutdown: later calls fail with state_unavailable, and a connection the
   * limiter opened from a URL is closed; a caller's client stays open.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  // Not awaited, as the port wants; commands on one connection run in order, so this
  // process's next take already sees the pause. When Redis is down the report is lost,
  // and every acquire fails until it is back.
  private report(operation: RateOperation): void {
    this.run(operation).catch(() => undefined);
  }

  private async run(operation: RateOperation): Promise<RateAnswer> {
    const answer = await this.connection.run(
      (redis) => runRateScript(redis, this.key, this.bucket, operation),
      this.commandTimeoutMs,
    );
    this.rate = answer.rate;
    return answer;
  }
}
