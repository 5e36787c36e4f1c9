/**
 * Injected faults: which ones are active now, and the seeded draws that decide whether a
 * given webhook request or callback is hit.
 */
import type { SeededRandom } from "./seeded-random.js";
import type { EmulatorFaults } from "./types.js";

/** The longest Clay-time hold-back `callbackOutOfOrder` adds to a callback. */
export const OUT_OF_ORDER_MAX_HOLD_MS = 60_000;

export interface InjectedError {
  status: number;
  /** Whole seconds for a `Retry-After` header, when the fault sends one. */
  retryAfterSeconds?: number;
  code: "outage" | "rate_limit_storm" | "injected_error";
  message: string;
}

export interface CallbackPlan {
  lost: boolean;
  duplicate: boolean;
  /** Clay-time milliseconds to hold the callback back. */
  holdMs: number;
}

export class FaultState {
  private faults: EmulatorFaults = {};
  private outageUntil = 0;
  private stormUntil = 0;
  private publicApiStormUntil = 0;

  /** Replaces the faults; outage and storm durations count from `now`. */
  set(faults: EmulatorFaults, now: number): void {
    this.faults = structuredClone(faults);
    this.outageUntil = faults.outage ? now + faults.outage.durationMs : 0;
    this.stormUntil = faults.rateLimitStorm ? now + faults.rateLimitStorm.durationMs : 0;
    this.publicApiStormUntil = faults.publicApiRateLimitStorm
      ? now + faults.publicApiRateLimitStorm.durationMs
      : 0;
  }

  clear(): void {
    this.set({}, 0);
  }

  get latencyMs(): number {
    return this.faults.webhookLatencyMs ?? 0;
  }

  /** The answer an active outage forces, for the webhook and the public API alike. */
  outage(now: number): InjectedError | undefined {
    if (now >= this.outageUntil) return undefined;
    return {
      status: this.faults.outage?.status ?? 503,
      retryAfterSeconds: Math.max(1, Math.ceil((this.outageUntil - now) / 1000)),
      code: "outage",
      message: "The emulator is simulating a Clay outage (fault injected through setFaults).",
    };
  }

  /** The public API's own rate-limit storm, when one is on. */
  publicApiStorm(now: number): InjectedError | undefined {
    if (now >= this.publicApiStormUntil) return undefined;
    return {
      status: 429,
      retryAfterSeconds: this.faults.publicApiRateLimitStorm?.retryAfterSeconds ?? 1,
      code: "rate_limit_storm",
      message: "Too many public API requests: the emulator is simulating a rate-limit storm.",
    };
  }

  /** Outage first, then a rate-limit storm, then a drawn error, as the webhook checks them. */
  webhookFault(now: number, random: SeededRandom): InjectedError | undefined {
    const outage = this.outage(now);
    if (outage) return outage;
    if (now < this.stormUntil) {
      return {
        status: 429,
        retryAfterSeconds: this.faults.rateLimitStorm?.retryAfterSeconds ?? 1,
        code: "rate_limit_storm",
        message: "Too many requests: the emulator is simulating a rate-limit storm.",
      };
    }
    if (random.chance(this.faults.webhookErrorRate)) {
      return {
        status: this.faults.webhookErrorStatus ?? 500,
        code: "injected_error",
        message: "The emulator failed this request on purpose (webhookErrorRate fault).",
      };
    }
    return undefined;
  }

  callbackPlan(random: SeededRandom): CallbackPlan {
    if (random.chance(this.faults.callbackLostRate))
      return { lost: true, duplicate: false, holdMs: 0 };
    const duplicate = random.chance(this.faults.callbackDuplicateRate);
    const outOfOrder = this.faults.callbackOutOfOrder
      ? random.next() * OUT_OF_ORDER_MAX_HOLD_MS
      : 0;
    return { lost: false, duplicate, holdMs: (this.faults.callbackDelayMs ?? 0) + outOfOrder };
  }
}
