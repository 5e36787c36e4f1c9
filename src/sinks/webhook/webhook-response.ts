/**
 * What a webhook receiver's answer means for the record, following the
 * Standard Webhooks guidance: 2xx delivered; 408, 409, 425, 429 and server
 * errors pass, so the record is tried again (after Retry-After when given);
 * redirects and other 4xx are final, each with a reason a person can act on.
 */
import type { SinkResult } from "../sink.js";

const RETRYABLE: Record<number, string> = {
  408: "the receiver timed out reading the request (408)",
  409: "the receiver answered 409 Conflict (often: it is still handling the same webhook-id)",
  425: "the receiver answered 425 Too Early",
  429: "the receiver is rate limiting (429): lower the sink's ratePerSecond if this keeps happening",
};

const FINAL: Record<number, string> = {
  400: "the receiver rejected the payload (400): check what it expects of a lead.enriched event",
  401: "the receiver refused the request (401): give it the same whsec_ secret as the sink, and check that it verifies Standard Webhooks signatures",
  403: "the receiver refused the request (403): give it the same whsec_ secret as the sink, and check that it verifies Standard Webhooks signatures",
  404: "no webhook endpoint at the sink's url (404): check the url",
  405: "the sink's url does not take POST requests (405): check the url",
  410: "the receiver says the endpoint is gone (410) and wants no more webhooks: change the sink's url or remove the sink",
  413: "the receiver refused the payload as too large (413): raise its body limit",
  422: "the receiver rejected the payload (422): check what it expects of a lead.enriched event",
};

export function classifyWebhookResponse(status: number, retryAfterMs?: number): SinkResult {
  if (status >= 200 && status < 300) return { ok: true };
  const passing =
    RETRYABLE[status] ??
    (status >= 500 && status !== 501 && status !== 505
      ? `the receiver failed (${status}), a passing failure on its side`
      : undefined);
  if (passing !== undefined) {
    return retryAfterMs === undefined
      ? { ok: false, retryable: true, reason: passing }
      : { ok: false, retryable: true, reason: passing, retryAfterMs };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      retryable: false,
      reason: `the receiver answered with a redirect (${status}); webhooks are not redirected: set the sink's url to the address it points to`,
    };
  }
  return {
    ok: false,
    retryable: false,
    reason:
      FINAL[status] ??
      `the receiver refused the request (${status}): check the sink's url and the receiver's logs`,
  };
}
