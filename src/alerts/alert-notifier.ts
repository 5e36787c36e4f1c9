/**
 * Posts one alert to one target: a Slack incoming webhook (the Slack sink's
 * post and escaping) or a webhook (a JSON body, signed with Standard Webhooks
 * when the target has a secret, so a receiver can check it came from
 * claypipe). Tries `attempts` times with doubling backoff (or Slack's
 * Retry-After); resolves with whether it got through, having logged a failure
 * without the target's URL.
 */
import { randomUUID } from "node:crypto";
import type { AlertsConfig, AlertTarget } from "../config/alerts-schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import { describeNetworkError } from "../net/network-error.js";
import { parseRetryAfter } from "../net/retry-after.js";
import { describeSlackError, postSlackMessage } from "../sinks/slack/slack-post.js";
import { escapeMrkdwn } from "../sinks/slack/slack-template.js";
import { createStandardWebhooks } from "../sinks/webhook/standard-webhooks.js";

/** What is said: a condition raised, or cleared. */
export interface AlertMessage {
  key: string;
  state: "raised" | "cleared";
  title: string;
  text: string;
  /** What to do; empty for a cleared condition. */
  action: string;
  at: number;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export interface AlertNotifierDeps {
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
}

export type Notify = (
  message: AlertMessage,
  target: AlertTarget,
  targetIndex: number,
  signal: AbortSignal,
) => Promise<boolean>;

export function createAlertNotifier(
  config: Pick<AlertsConfig, "attempts" | "timeout">,
  deps: AlertNotifierDeps,
): Notify {
  const post = deps.fetch ?? fetch;
  const { clock, logger } = deps;

  /** One attempt: ok, or why not and when to try again. */
  async function attempt(
    message: AlertMessage,
    target: AlertTarget,
    signal: AbortSignal,
  ): Promise<{ ok: true } | { ok: false; reason: string; retryAfterMs?: number }> {
    const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(config.timeout)]);
    if (target.type === "slack") {
      try {
        const answer = await postSlackMessage(target.webhookUrl, slackText(message), {
          fetch: post,
          signal: requestSignal,
          now: () => clock.now(),
        });
        if (answer.result.ok) return { ok: true };
        return { ok: false, reason: answer.result.reason, retryAfterMs: answer.retryAfterMs };
      } catch (thrown) {
        if (signal.aborted) throw signal.reason;
        return { ok: false, reason: describeSlackError(target.webhookUrl, thrown) };
      }
    }
    const body = JSON.stringify({ type: "claypipe.alert", ...message, at: new Date(message.at) });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (target.secret) {
      Object.assign(
        headers,
        createStandardWebhooks(target.secret).headers(randomUUID(), clock.now(), body),
      );
    }
    try {
      const response = await post(target.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: requestSignal,
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true };
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      return { ok: false, reason: `the webhook answered ${response.status}`, retryAfterMs };
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      // The URL may carry a token of its own: the error names the host at most.
      const reason = describeNetworkError(thrown).replaceAll(target.url, new URL(target.url).host);
      return { ok: false, reason };
    }
  }

  return async (message, target, targetIndex, signal) => {
    let backoff = FIRST_BACKOFF_MS;
    for (let tries = 1; ; tries++) {
      const result = await attempt(message, target, signal);
      if (result.ok) return true;
      if (tries >= config.attempts) {
        logger.warn(
          { alert: message.key, target: targetIndex, type: target.type, reason: result.reason },
          "alert not delivered; tried again at the next check",
        );
        return false;
      }
      await clock.sleep(Math.min(result.retryAfterMs ?? backoff, MAX_BACKOFF_MS), signal);
      backoff *= 2;
    }
  };
}

function slackText(message: AlertMessage): string {
  const lines = [
    `${message.state === "raised" ? ":warning:" : ":white_check_mark:"} *${escapeMrkdwn(message.title)}*`,
  ];
  if (message.text) lines.push(escapeMrkdwn(message.text));
  if (message.action) lines.push(`*What to do:* ${escapeMrkdwn(message.action)}`);
  return lines.join("\n");
}
