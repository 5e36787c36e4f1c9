/**
 * One post to a Slack incoming webhook, shared by the Slack sink and alerts:
 * the message body (the text as the notification, and one mrkdwn section),
 * the answer read as a SinkResult (slack-answer.ts), and any error text with
 * the webhook's URL — a credential — taken out.
 */

import { describeNetworkError } from "../../net/network-error.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import type { SinkResult } from "../sink.js";
import { classifySlackAnswer } from "./slack-answer.js";

/** Slack's answers are a word ("ok", "no_service"); more is not read. */
const MAX_ANSWER_CHARS = 200;

export interface SlackPost {
  status: number;
  result: SinkResult;
  /** Retry-After of the answer, in ms from now. */
  retryAfterMs: number | undefined;
}

/** The incoming webhook body: the text as the notification, and one mrkdwn section. */
export function slackMessage(text: string): string {
  return JSON.stringify({ text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] });
}

/** Posts `text` (mrkdwn, already escaped); throws what fetch throws. */
export async function postSlackMessage(
  webhookUrl: string,
  text: string,
  options: { fetch: typeof fetch; signal: AbortSignal; now: () => number },
): Promise<SlackPost> {
  const response = await options.fetch(webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: slackMessage(text),
    redirect: "manual",
    signal: options.signal,
  });
  const answer = (await response.text()).slice(0, MAX_ANSWER_CHARS);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), options.now());
  return {
    status: response.status,
    result: classifySlackAnswer(response.status, answer, retryAfterMs),
    retryAfterMs,
  };
}

/** Describes a failed post's error with the webhook's URL (and its path) replaced. */
export function describeSlackError(webhookUrl: string, thrown: unknown): string {
  const secretParts = [webhookUrl, new URL(webhookUrl).pathname].filter((part) => part.length > 1);
  return secretParts.reduce(
    (clean, part) => clean.replaceAll(part, "(the webhook URL)"),
    describeNetworkError(thrown),
  );
}
