/**
 * The Clay sender: takes one lead to one table of a workspace. In order: build
 * and size-check the row, count it against the table's webhook pool (once, before
 * any request), then post it under the workspace's rate limit, retrying what
 * passes (429, 5xx, network) and stopping at what does not (other 4xx). Every
 * row carries its claypipe_id, and a signed callback_url when callbacks are on.
 * A reservation is given back when no try can have reached Clay (every try
 * failed before a connection was made), so an unreachable Clay costs no capacity.
 * A refusal of the webhook itself (unknown URL, wrong auth token) is a config
 * error, not the row's: Clay made no row, so the reservation is given back, the
 * webhook leaves the pool, and the row goes to the next webhook (or, with none
 * left, ends "no_capacity").
 */
import type { SenderConfig, WebhookConfig, WorkspaceConfig } from "../config/schema.js";
import { type Clock, systemClock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import type { Lead } from "../core/lead.js";
import type { Logger } from "../logging/create-logger.js";
import { createBackoff } from "../net/backoff.js";
import type { CapacityCounters } from "../store/capacity-counters.js";
import { type CallbackSigner, callbackUrl } from "./callback-token.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";
import { classifyOutcome } from "./retry-policy.js";
import { buildClayRow, type ClayRow } from "./row-payload.js";
import { postRow } from "./webhook-client.js";
import { createWebhookPool, type PoolCapacity, type WebhookPool } from "./webhook-pool.js";

/** 429s only say "slower": each uses a tenth of a try, so a rate-limit storm does not fail rows. */
const RATE_LIMITED_TRIES_PER_ATTEMPT = 10;

export interface ClaySenderOptions {
  workspace: WorkspaceConfig;
  sender: SenderConfig;
  /** Where Clay's HTTP API column calls back, and the signer for the callback tokens. */
  callbacks?: { baseUrl: string; signer: CallbackSigner } | undefined;
  /** The workspace's limiter, shared by every sender of the workspace. */
  limiter: RateLimiter;
  counters: CapacityCounters;
  /** @defaultValue systemClock */
  clock?: Clock;
  logger?: Logger;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Asked before every try and told after it whether Clay answered: the direct
   * tier's circuit breaker, so that an unreachable Clay stops a run within a few
   * tries instead of after every row's retries. When it refuses, the row ends
   * "failed" at once. The service tiers judge whole sends in their own breaker.
   */
  tryGate?: TryGate;
}

/** What the sender needs of a circuit breaker (the Breaker of src/pipeline fits). */
export interface TryGate {
  allow(): Promise<{ allowed: boolean }>;
  record(answered: boolean): Promise<void>;
}

export interface SendItem {
  lead: Lead;
  claypipeId: string;
  /** The table's name in the config. */
  table: string;
  /** Which send of this lead it is, signed into the callback token. @defaultValue 1 */
  attempt?: number;
}

export type SendOutcome =
  | { status: "sent"; webhookIndex: number; attempts: number }
  | { status: "refused"; code: "payload_too_large"; reason: string }
  | { status: "no_capacity"; reason: string }
  | { status: "rejected"; httpStatus: number; reason: string }
  | {
      status: "failed";
      attempts: number;
      reason: string;
      /** False when no try can have reached Clay: the reservation was given back. */
      reachedClay: boolean;
      /** Set when the try gate (a circuit breaker) stopped the tries: Clay keeps failing. */
      gateClosed?: true;
    };

export interface ClaySender {
  /**
   * Rejects only when `signal` aborts; the reservation, if made, stays counted
   * unless no try can have reached Clay.
   */
  send(item: SendItem, signal?: AbortSignal): Promise<SendOutcome>;
  /** The table's remaining capacity, per webhook and in rows. */
  capacity(table: string): Promise<PoolCapacity>;
  /** The workspace's 429s so far, as its limiter counts them (RateLimiter.rateLimitedCount). */
  rateLimitedCount(): Promise<number>;
}

/** What one delivery can end in: a send outcome, or Clay refusing the webhook as configured. */
type DeliveryOutcome =
  | SendOutcome
  | { status: "unusable_webhook"; setting: "url" | "authToken"; reason: string };

/** What one row's tries have done so far: whether one may have reached Clay, whether one is out now. */
interface DeliveryProgress {
  reached: boolean;
  posting: boolean;
}

/** host:port of a webhook URL; the path and query are credential-like and never shown. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the webhook host";
  }
}

export function createClaySender(options: ClaySenderOptions): ClaySender {
  const { workspace, sender: config, limiter, logger } = options;
  const clock = options.clock ?? systemClock;
  const pools = new Map<string, WebhookPool>(
    workspace.tables.map((table) => [
      table.name,
      createWebhookPool({ workspace: workspace.name, table, counters: options.counters, logger }),
    ]),
  );
  const poolFor = (table: string): WebhookPool => {
    const pool = pools.get(table);
    if (pool) return pool;
    throw new ClaypipeError(
      "config_invalid",
      `workspace "${workspace.name}" has no table "${table}"`,
      {
        hint: `use one of: ${[...pools.keys()].join(", ")}`,
      },
    );
  };

  // Why the last failed try of any row failed: a row the gate stops before its own
  // first try says it too.
  let lastFailure = "";

  const buildRow = (item: SendItem): ClayRow => {
    const callbacks = options.callbacks;
    const url = callbacks
      ? callbackUrl(
          callbacks.baseUrl,
          callbacks.signer.sign({ leadId: item.claypipeId, attempt: item.attempt ?? 1 }),
        )
      : undefined;
    return buildClayRow(item.lead, { claypipeId: item.claypipeId, callbackUrl: url });
  };

  /** Posts the row until Clay takes it, refuses it, or the tries run out. */
  const deliver = async (
    item: SendItem,
    row: ClayRow,
    webhook: WebhookConfig,
    webhookIndex: number,
    progress: DeliveryProgress,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryOutcome> => {
    const log = { claypipeId: item.claypipeId, table: item.table, webhook: webhookIndex };
    const backoff = createBackoff({
      initialBackoffMs: config.initialBackoff,
      maxBackoffMs: config.maxBackoff,
    });
    let tries = 0;
    // In tenths of a try, so a 429 can cost less than a whole one.
    let spent = 0;
    const host = hostOf(webhook.url);
    // Why this row's last try failed in a way that passes, for the gate's refusal.
    let lastReason = "";
    const gate = options.tryGate;
    for (;;) {
      if (gate && !(await gate.allow()).allowed) {
        const reason =
          lastReason || lastFailure || `circuit breaker open: Clay at ${host} keeps failing`;
        return {
          status: "failed",
          attempts: tries,
          reason,
          reachedClay: progress.reached,
          gateClosed: true,
        };
      }
      await limiter.acquire(signal);
      tries += 1;
      progress.posting = true;
      const outcome = await postRow({
        url: webhook.url,
        authToken: webhook.authToken,
        body: row.body,
        timeoutMs: config.requestTimeout,
        signal,
        fetch: options.fetch,
        clock,
      });
      progress.posting = false;
      // A timeout may come after the body went out, so only a failure before
      // connecting proves Clay never saw this try.
      const notSent = outcome.kind === "network_error" ? outcome.notSent : undefined;
      if (!notSent) progress.reached = true;
      const verdict = classifyOutcome(outcome);
      await gate?.record(verdict.action !== "retry" || verdict.rateLimited);
      if (verdict.action === "retry" && !verdict.rateLimited) {
        lastReason = notSent
          ? `cannot reach Clay at ${host}: ${notSent}`
          : `Clay at ${host} keeps failing: ${verdict.reason}`;
        lastFailure = lastReason;
      }
      if (verdict.action === "success") {
        limiter.onSuccess();
        return { status: "sent", webhookIndex, attempts: tries };
      }
      if (verdict.action === "final" && verdict.configError) {
        return { status: "unusable_webhook", setting: verdict.configError, reason: verdict.reason };
      }
      if (verdict.action === "final") {
        logger?.warn({ ...log, httpStatus: verdict.httpStatus }, verdict.reason);
        return { status: "rejected", httpStatus: verdict.httpStatus, reason: verdict.reason };
      }
      // The limiter then holds every sender of the workspace until Clay is ready again.
      if (verdict.rateLimited) limiter.onRateLimited(verdict.retryAfterMs);
      spent += verdict.rateLimited ? 1 : RATE_LIMITED_TRIES_PER_ATTEMPT;
      if (spent >= config.maxAttempts * RATE_LIMITED_TRIES_PER_ATTEMPT) {
        const reason = notSent
          ? `${lastReason} (gave up after ${tries} tries)`
          : `gave up after ${tries} tries: ${verdict.reason}`;
        logger?.warn(log, reason);
        return { status: "failed", attempts: tries, reason, reachedClay: progress.reached };
      }
      logger?.debug({ ...log, tries }, `${verdict.reason}: will retry`);
      if (!verdict.rateLimited) {
        await clock.sleep(Math.max(backoff.next(), verdict.retryAfterMs ?? 0), signal);
      }
    }
  };

  return {
    async send(item, signal) {
      signal?.throwIfAborted();
      const pool = poolFor(item.table);
      let row: ClayRow;
      try {
        row = buildRow(item);
      } catch (thrown) {
        if (thrown instanceof ClaypipeError && thrown.code === "payload_too_large") {
          return { status: "refused", code: "payload_too_large", reason: thrown.describe() };
        }
        throw thrown;
      }

      // A webhook Clay refuses as configured leaves the pool; the row tries the next one.
      for (;;) {
        const reservation = await pool.reserve();
        if (!reservation.ok) return { status: "no_capacity", reason: reservation.message };
        const progress: DeliveryProgress = { reached: false, posting: false };
        let outcome: DeliveryOutcome;
        try {
          outcome = await deliver(
            item,
            row,
            reservation.webhook,
            reservation.index,
            progress,
            signal,
          );
        } catch (thrown) {
          // Aborted between tries, with no try that can have reached Clay: nothing to count.
          if (signal?.aborted && !progress.reached && !progress.posting) {
            await pool.release(reservation.index);
          }
          // Every wait rejects on abort in its own way; callers get the signal's reason from all of them.
          if (signal?.aborted) throw signal.reason;
          throw thrown;
        }
        if (outcome.status === "unusable_webhook") {
          // Clay made no row and counted nothing for this webhook: neither does claypipe.
          await pool.release(reservation.index);
          pool.disable(reservation.index, outcome.setting, outcome.reason);
          continue;
        }
        if (outcome.status === "failed" && !outcome.reachedClay) {
          await pool.release(reservation.index);
        }
        return outcome;
      }
    },

    capacity(table) {
      return poolFor(table).capacity();
    },

    rateLimitedCount: () => limiter.rateLimitedCount(),
  };
}
