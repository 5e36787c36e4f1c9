/**
 * What a Slack incoming webhook's answer means for the message. Slack answers
 * 200 "ok", 429 with Retry-After when a webhook posts too fast, and otherwise
 * a status with a short error code as the body (Slack's "Handling errors" for
 * incoming webhooks): those are final, each with what to do; 5xx (rollup_error)
 * passes. Reasons quote the code only, never the webhook's URL.
 */
import type { SinkResult } from "../sink.js";

const NEW_WEBHOOK =
  "create a new incoming webhook (Slack app → Incoming Webhooks) and set the sink's webhookUrl variable to its URL";

const BY_CODE: Record<string, string> = {
  invalid_payload:
    "Slack could not read the message: check the sink's template (a stray < or & of its own)",
  invalid_blocks: "Slack refused the message's blocks: check the sink's template",
  invalid_blocks_format: "Slack refused the message's blocks: check the sink's template",
  no_text: "Slack found no text in the message: check the sink's template",
  too_many_attachments: "Slack refused the message's attachments",
  user_not_found: `the webhook's user no longer exists: ${NEW_WEBHOOK}`,
  channel_not_found: `the webhook's channel no longer exists: ${NEW_WEBHOOK} for another channel`,
  no_service: `Slack knows no webhook at this URL (disabled, removed or mistyped): ${NEW_WEBHOOK}`,
  invalid_token: `the webhook URL's token is invalid: ${NEW_WEBHOOK}`,
  team_disabled: "the Slack workspace is disabled",
  action_prohibited:
    "the workspace forbids this webhook to post there: ask a Slack admin, or use a webhook for another channel",
  posting_to_general_channel_denied:
    "only admins may post to this channel: use a webhook for another channel",
  channel_is_archived: `the webhook's channel is archived: unarchive it, or ${NEW_WEBHOOK} for another channel`,
};

const BY_STATUS: Record<number, string> = {
  400: "Slack refused the message: check the sink's template",
  401: `Slack refused the webhook: ${NEW_WEBHOOK}`,
  403: `Slack refused the webhook: ${NEW_WEBHOOK}`,
  404: `Slack knows no webhook at this URL: ${NEW_WEBHOOK}`,
  410: `the webhook's channel is gone or archived: ${NEW_WEBHOOK}`,
};

export function classifySlackAnswer(
  status: number,
  body: string,
  retryAfterMs: number | undefined,
): SinkResult {
  if (status >= 200 && status < 300) return { ok: true };
  const code = errorCode(body);
  const answered = `${status} ${code ?? "with no error code"}`;
  if (status === 429 || status >= 500) {
    const reason =
      status === 429
        ? `Slack is rate limiting the webhook (${answered}): the sink keeps to ratePerSecond; lower it if others post through the same webhook`
        : `Slack failed (${answered}), a passing failure on its side`;
    return retryAfterMs === undefined
      ? { ok: false, retryable: true, reason }
      : { ok: false, retryable: true, reason, retryAfterMs };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      retryable: false,
      reason: `Slack answered with a redirect (${status}): check that the sink's webhookUrl is an incoming webhook URL (https://hooks.slack.com/services/…)`,
    };
  }
  const what =
    (code !== undefined ? BY_CODE[code] : undefined) ??
    BY_STATUS[status] ??
    "Slack refused the message: check the sink's template and webhookUrl";
  return { ok: false, retryable: false, reason: `${what} (${answered})` };
}

/** Slack's code (`channel_is_archived`), or undefined when the body is not one. */
function errorCode(body: string): string | undefined {
  const text = body.trim();
  return /^[a-z][a-z0-9_]{0,63}$/.test(text) ? text : undefined;
}
