/**
 * The circuit breaker of one Clay workspace. It counts send outcomes over a
 * rolling window; when the share of failures reaches `failureRate` (after at
 * least `minRequests` sends) it opens, and sends wait. After `openFor` one
 * probe may go (half-open): success closes it, failure opens it again.
 *
 * This class keeps its state in memory, for one process (the standard tier);
 * RedisCircuitBreaker keeps the same machine in Redis for all workers of the
 * queue tier. Both pass test/clay/breaker/breaker-contract.ts.
 */
import type { BreakerConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../logging/create-logger.js";
import { logBreakerClosed, logBreakerHalfOpen, logBreakerOpened } from "./breaker-log.js";

/** What `allow()` decided: go, or wait until `retryAt` (ms). */
export type BreakerGate =
  | { allowed: true }
  | { allowed: false; state: "open" | "half_open"; retryAt: number };

export type BreakerState = "closed" | "open" | "half_open";

export interface Breaker {
  /** May a send go now? In half-open, yes for exactly one probe at a time. */
  allow(): Promise<BreakerGate>;
  /** The outcome of a send that `allow()` let through: did Clay answer? */
  record(success: boolean): Promise<void>;
  state(): Promise<BreakerState>;
}

export interface CircuitBreakerOptions {
  config: BreakerConfig;
  clock: Clock;
  /** The workspace's name, for the log. */
  workspace: string;
  logger?: Logger;
}

interface Outcome {
  at: number;
  success: boolean;
}

export class CircuitBreaker implements Breaker {
  private readonly config: BreakerConfig;
  private readonly clock: Clock;
  private readonly workspace: string;
  private readonly logger: Logger | undefined;
  private outcomes: Outcome[] = [];
  private current: BreakerState = "closed";
  private openUntil = 0;
  /** While half-open: when the probe out now counts as lost (its send never reported back). */
  private probeExpiresAt: number | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.workspace = options.workspace;
    this.logger = options.logger;
  }

  async state(): Promise<BreakerState> {
    if (this.current === "open" && this.clock.now() >= this.openUntil) return "half_open";
    return this.current;
  }

  async allow(): Promise<BreakerGate> {
    const now = this.clock.now();
    if (this.current === "closed") return { allowed: true };
    if (this.current === "open") {
      if (now < this.openUntil) return { allowed: false, state: "open", retryAt: this.openUntil };
      this.current = "half_open";
      logBreakerHalfOpen(this.logger, this.workspace);
    } else if (this.probeExpiresAt !== undefined && now < this.probeExpiresAt) {
      return { allowed: false, state: "half_open", retryAt: this.probeExpiresAt };
    }
    // A probe whose send never reports back (refused before any request) would
    // hold the breaker half-open for good; after `openFor` another may go.
    this.probeExpiresAt = now + this.config.openFor;
    return { allowed: true };
  }

  async record(success: boolean): Promise<void> {
    const now = this.clock.now();
    if (this.current === "open") return;
    if (this.current === "half_open") {
      if (success) this.close();
      else this.open(now, "the probe failed");
      return;
    }
    this.outcomes.push({ at: now, success });
    const since = now - this.config.window;
    const firstInWindow = this.outcomes.findIndex((outcome) => outcome.at > since);
    this.outcomes = firstInWindow === -1 ? [] : this.outcomes.slice(firstInWindow);
    if (success || this.outcomes.length < this.config.minRequests) return;
    const failures = this.outcomes.filter((outcome) => !outcome.success).length;
    const rate = failures / this.outcomes.length;
    if (rate >= this.config.failureRate) {
      this.open(now, `${failures} of the last ${this.outcomes.length} sends failed`);
    }
  }

  private open(now: number, why: string): void {
    this.current = "open";
    this.openUntil = now + this.config.openFor;
    this.probeExpiresAt = undefined;
    this.outcomes = [];
    logBreakerOpened(this.logger, this.workspace, this.openUntil, why);
  }

  private close(): void {
    this.current = "closed";
    this.probeExpiresAt = undefined;
    this.outcomes = [];
    logBreakerClosed(this.logger, this.workspace);
  }
}
