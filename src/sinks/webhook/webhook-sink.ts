/**
 * The webhook sink: one POST per enriched lead, signed the Standard Webhooks
 * way. The webhook-id is `msg_<claypipe_id>`, the same on every try, so a
 * receiver that dedupes on it never handles a lead twice. Requests are paced
 * at the sink's ratePerSecond; after a 429 nothing more is sent until the
 * receiver's Retry-After has passed.
 */
import type { z } from "zod";
import type { webhookSinkSchema } from "../../config/sink-schema.js";
import { systemClock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { silentLogger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import { SinkPacer } from "../sink-pacer.js";
import { publicRow, recordFields } from "../sink-row.js";
import { createStandardWebhooks } from "./standard-webhooks.js";
import { classifyWebhookResponse } from "./webhook-response.js";

export type WebhookSinkConfig = z.output<typeof webhookSinkSchema>;

export const WEBHOOK_EVENT_TYPE = "lead.enriched";

// A 429 without Retry-After still means "not now".
const PAUSE_WITHOUT_RETRY_AFTER_MS = 1000;

/** The event body for one record (Standard Webhooks payload shape). */
export function webhookBody(record: SinkRecord): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    timestamp: record.enrichedAt,
    data: { ...recordFields(record), row: publicRow(record.row) },
  });
}

export function webhookMessageId(record: SinkRecord): string {
  return `msg_${record.leadId}`;
}

/** Throws a config error when the secret is not a Standard Webhooks secret. */
export function createWebhookSink(config: WebhookSinkConfig, deps: SinkDeps = {}): Sink {
  const clock = deps.clock ?? systemClock;
  const post = deps.fetch ?? fetch;
  const logger = deps.logger ?? silentLogger();
  const signer = createStandardWebhooks(config.secret);
  const pacer = new SinkPacer({ ratePerSecond: config.ratePerSecond, clock });
  const lifecycle = new SinkLifecycle();
  let pausedUntil = 0;

  async function send(record: SinkRecord, signal: AbortSignal): Promise<SinkResult> {
    const pause = pausedUntil - clock.now();
    if (pause > 0) {
      return {
        ok: false,
        retryable: true,
        reason: `not sent: the receiver asked to slow down (429) for ${formatDuration(pause)} more`,
        retryAfterMs: pause,
      };
    }
    await pacer.take(signal);
    const body = webhookBody(record);
    const timeout = AbortSignal.timeout(config.timeout);
    try {
      const response = await post(config.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signer.headers(webhookMessageId(record), clock.now(), body),
        },
        body,
        // A redirected POST would turn into a GET and lose the event; report it instead.
        redirect: "manual",
        signal: AbortSignal.any([signal, timeout]),
      });
      // Read to the end so the connection can be reused; the content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      if (response.status === 429) {
        pausedUntil = clock.now() + (retryAfterMs ?? PAUSE_WITHOUT_RETRY_AFTER_MS);
      }
      const result = classifyWebhookResponse(response.status, retryAfterMs);
      if (!result.ok) {
        logger.warn(
          { sink: config.name, leadId: record.leadId, status: response.status },
          "webhook sink: delivery failed",
        );
      }
      return result;
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason = timeout.aborted
        ? `the receiver did not answer within ${formatDuration(config.timeout)} (raise the sink's timeout if it is slow)`
        : `could not reach the receiver (${describeNetworkError(thrown)}): check that it is up and the sink's url`;
      logger.warn(
        { sink: config.name, leadId: record.leadId, reason },
        "webhook sink: delivery failed",
      );
      return { ok: false, retryable: true, reason };
    }
  }

  return {
    name: config.name,
    maxBatch: 1,
    deliver: (records, signal) => lifecycle.runEach(records, signal, send),
    close: () => lifecycle.close(),
  };
}
