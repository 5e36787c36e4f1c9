/**
 * The Slack sink: one Block Kit message per enriched lead, posted to an
 * incoming webhook ("tell sales about a hot lead"). The text comes from the
 * sink's template over the row (slack-template.ts). Slack takes about one
 * message a second per webhook, so posts are paced at ratePerSecond (1); after
 * a 429 nothing is posted until its Retry-After has passed.
 *
 * Slack has no idempotency key: claypipe posts once per lead (a lead posted
 * by this process is not posted again), but a post whose answer was lost (a
 * timeout, a crash mid-post) is tried again and may appear twice.
 *
 * The webhook's URL is a credential: it is never logged and no reason quotes it.
 */
import type { z } from "zod";
import type { slackSinkSchema } from "../../config/sink-schema.js";
import { systemClock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { silentLogger } from "../../logging/create-logger.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import { SinkPacer } from "../sink-pacer.js";
import { mappedRow } from "../sink-row.js";
import { describeSlackError, postSlackMessage } from "./slack-post.js";
import { renderSlackTemplate } from "./slack-template.js";

export type SlackSinkConfig = z.output<typeof slackSinkSchema>;

// A 429 without Retry-After still means "not now".
const PAUSE_WITHOUT_RETRY_AFTER_MS = 1000;
/** Leads remembered as posted, so a second delivery of one posts nothing. */
const REMEMBERED_LEADS = 10_000;

export function createSlackSink(config: SlackSinkConfig, deps: SinkDeps = {}): Sink {
  const clock = deps.clock ?? systemClock;
  const post = deps.fetch ?? fetch;
  const logger = deps.logger ?? silentLogger();
  // Slack allows short bursts but does not say how short: none is taken.
  const pacer = new SinkPacer({ ratePerSecond: config.ratePerSecond, burst: 1, clock });
  const lifecycle = new SinkLifecycle();
  const posted = new Set<string>();
  let pausedUntil = 0;

  const remember = (leadId: string) => {
    posted.add(leadId);
    // A Set iterates in insertion order: the first is the oldest.
    if (posted.size > REMEMBERED_LEADS) posted.delete(posted.values().next().value!);
  };

  async function send(record: SinkRecord, signal: AbortSignal): Promise<SinkResult> {
    if (posted.has(record.leadId)) return { ok: true };
    const pause = pausedUntil - clock.now();
    if (pause > 0) {
      return {
        ok: false,
        retryable: true,
        reason: `not posted: Slack asked to slow down (429) for ${formatDuration(pause)} more`,
        retryAfterMs: pause,
      };
    }
    await pacer.take(signal);
    const timeout = AbortSignal.timeout(config.timeout);
    try {
      const response = await postSlackMessage(
        config.webhookUrl,
        renderSlackTemplate(config.template, mappedRow(record)),
        { fetch: post, signal: AbortSignal.any([signal, timeout]), now: () => clock.now() },
      );
      const { retryAfterMs, result } = response;
      if (response.status === 429) {
        pausedUntil = clock.now() + (retryAfterMs ?? PAUSE_WITHOUT_RETRY_AFTER_MS);
      }
      if (result.ok) remember(record.leadId);
      else {
        logger.warn(
          { sink: config.name, leadId: record.leadId, status: response.status },
          "slack sink: post failed",
        );
      }
      return result;
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason = timeout.aborted
        ? `Slack did not answer within ${formatDuration(config.timeout)}; the message may have been posted, and the retry may post it twice`
        : `could not reach Slack (${describeSlackError(config.webhookUrl, thrown)})`;
      logger.warn({ sink: config.name, leadId: record.leadId, reason }, "slack sink: post failed");
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
