/**
 * The circuit breaker of one Clay workspace shared by every worker process of
 * the queue tier: the same machine as CircuitBreaker (see circuit-breaker.ts),
 * kept in Redis (redis-breaker-script.ts), so one worker's failures open it for
 * all and exactly one probe goes out across all of them.
 */
import { randomUUID } from "node:crypto";
import type { BreakerConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../logging/create-logger.js";
import { RedisConnection, type RedisSource } from "../../redis/redis-connection.js";
import { logBreakerClosed, logBreakerHalfOpen, logBreakerOpened } from "./breaker-log.js";
import type { Breaker, BreakerGate, BreakerState } from "./circuit-breaker.js";
import { type BreakerKeys, runBreakerScript } from "./redis-breaker-script.js";

export interface RedisCircuitBreakerOptions {
  config: BreakerConfig;
  clock: Clock;
  workspace: string;
  redis: RedisSource;
  /** Key prefix, e.g. `claypipe`: the breaker lives at `<prefix>:breaker:<workspace>`. */
  prefix: string;
  logger?: Logger;
  /** @defaultValue 2000 */
  commandTimeoutMs?: number;
}

export class RedisCircuitBreaker implements Breaker {
  private readonly connection: RedisConnection;
  private readonly keys: BreakerKeys;
  private readonly timeoutMs: number;

  constructor(private readonly options: RedisCircuitBreakerOptions) {
    const base = `${options.prefix}:breaker:${options.workspace}`;
    this.keys = { state: base, sends: `${base}:sends`, failures: `${base}:failures` };
    this.connection = new RedisConnection(options.redis, `the circuit breaker "${base}"`);
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
  }

  async allow(): Promise<BreakerGate> {
    const [verdict, state, retryAt] = await this.run("allow");
    if (verdict === "wait") {
      return { allowed: false, state: state as "open" | "half_open", retryAt: Number(retryAt) };
    }
    if (verdict === "probe") logBreakerHalfOpen(this.options.logger, this.options.workspace);
    return { allowed: true };
  }

  async record(success: boolean): Promise<void> {
    const { config } = this.options;
    const [change, openUntil, why] = await this.run("record", [
      success ? 1 : 0,
      config.minRequests,
      config.failureRate,
      randomUUID(),
    ]);
    const { logger, workspace } = this.options;
    if (change === "opened") logBreakerOpened(logger, workspace, Number(openUntil), String(why));
    if (change === "closed") logBreakerClosed(logger, workspace);
  }

  async state(): Promise<BreakerState> {
    const [state] = await this.run("state");
    return state as BreakerState;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private run(operation: "state" | "allow" | "record", recordArgs: Array<string | number> = []) {
    const { config, clock } = this.options;
    const times = { now: clock.now(), openFor: config.openFor, window: config.window };
    return this.connection.run(
      (redis) => runBreakerScript(redis, this.keys, operation, times, recordArgs),
      this.timeoutMs,
    );
  }
}
