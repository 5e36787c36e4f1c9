/**
 * The circuit breaker of one Clay workspace. It counts send outcomes over a
 * rolling window; when the share of failures reaches `failureRate` (after at
 * least `minRequests` sends) it opens, and sends wait. After `openFor` one
 * probe may go (half-open): success closes it, failure opens it again.
 *
 * This class keeps its state in memory, for one process; the `Breaker`
 * interface is what the pipeline needs, so a shared (Redis) breaker can take
 * its place in the queue tier.
 */
import type { BreakerConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { BreakerState } from "./pipeline-api.js";

export interface Breaker {
  /** May a send go now? In half-open, true for exactly one probe at a time. */
  allow(): boolean;
  /** The outcome of a send that `allow()` let through: did Clay answer? */
  record(success: boolean): void;
  readonly state: BreakerState;
  /** When `allow()` may next say yes (ms): the end of the open period, or the expiry of the probe out now; 0 when closed. */
  readonly reopensAt: number;
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

  get state(): BreakerState {
    if (this.current === "open" && this.clock.now() >= this.openUntil) return "half_open";
    return this.current;
  }

  get reopensAt(): number {
    if (this.current === "open") return this.openUntil;
    if (this.current === "half_open") return this.probeExpiresAt ?? this.clock.now();
    return 0;
  }

  allow(): boolean {
    const now = this.clock.now();
    if (this.current === "closed") return true;
    if (this.current === "open") {
      if (now < this.openUntil) return false;
      this.current = "half_open";
      this.logger?.info(
        { workspace: this.workspace },
        "circuit breaker half-open: one probe goes to Clay",
      );
    } else if (this.probeExpiresAt !== undefined && now < this.probeExpiresAt) {
      return false;
    }
    // A probe whose send never reports back (refused before any request) would
    // hold the breaker half-open for good; after `openFor` another may go.
    this.probeExpiresAt = now + this.config.openFor;
    return true;
  }

  record(success: boolean): void {
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
    this.logger?.warn(
      { workspace: this.workspace, reopensAt: new Date(this.openUntil).toISOString() },
      `circuit breaker for workspace "${this.workspace}" opened (${why}): sends wait until it probes Clay again`,
    );
  }

  private close(): void {
    this.current = "closed";
    this.probeExpiresAt = undefined;
    this.outcomes = [];
    this.logger?.info(
      { workspace: this.workspace },
      `circuit breaker for workspace "${this.workspace}" closed: Clay answers again`,
    );
  }
}
