/**
 * Smartlead's answer to `POST /campaigns/{id}/leads`, as its API reference
 * documents it: `{ ok, upload_count, total_leads, already_added_to_campaign,
 * duplicate_count, invalid_email_count, invalid_emails, unsubscribed_leads,
 * block_count, bounce_count, is_lead_limit_exhausted, lead_import_stopped_count }`.
 * Leads it names (invalid_emails, unsubscribed_leads) fail by name; the counts
 * say why the others were not added.
 *
 * Assumed (the docs list the fields without defining each): a lead already in
 * this campaign is counted in `already_added_to_campaign`, and one skipped
 * because it is in another campaign (ignore_duplicate_leads_in_other_campaign
 * false) in `duplicate_count`; both count as delivered, as that is the rule
 * the sink was given. Blocked, bounced, unsubscribed and invalid leads, and
 * those stopped by the plan's lead limit, fail for good.
 */
import { normalizeEmail } from "../../core/lead.js";
import type { UploadTally } from "../campaign/upload-tally.js";
import type { SinkResult } from "../sink.js";

const REPLAY = "then replay the sink's dead letters";
const BLOCKED = final(
  `Smartlead skipped the lead: its email or domain is on the global block list. Remove it there, or set the sink's ignoreGlobalBlockList, ${REPLAY}`,
);
const UNSUBSCRIBED = final(
  `Smartlead skipped the lead: it unsubscribed before. Only if it may be contacted again, set the sink's ignoreUnsubscribeList, ${REPLAY}`,
);
const BOUNCED = final(
  "Smartlead skipped the lead: mail to it bounced before. Find a working email for it and send the lead again",
);
const INVALID = final(
  "Smartlead refused the lead's email as invalid: correct it at the source and send the lead again",
);
const LIMIT = final(
  `Smartlead stopped the import: the account's lead limit is used up. Raise the plan's limit, ${REPLAY}`,
);

/** What a person should do about each refusal of the whole upload. */
export const SMARTLEAD_HINTS: Readonly<Record<number, string>> = {
  400: "check the sink's fields and customFields against Smartlead's lead fields",
  401: "the sink's apiKey is wrong or was regenerated: copy the key from Smartlead (Settings → API Key) into the environment variable the sink's apiKey names",
  403: "the API key has no access to this campaign: use a key of the account (or client) that owns it",
  404: "no such campaign: check the sink's campaignId (the number in the campaign's address) and that the key's account owns it",
  422: "Smartlead refused the leads: check the sink's fields and customFields against Smartlead's lead fields",
};

export function readSmartleadTally(body: unknown): UploadTally | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const summary = body as Record<string, unknown>;
  if (summary.ok === false) return undefined;
  if (typeof summary.upload_count !== "number" && typeof summary.total_leads !== "number") {
    return undefined;
  }
  const count = (key: string) => (typeof summary[key] === "number" ? (summary[key] as number) : 0);
  const named = new Map<string, SinkResult>();
  const counted: Array<{ count: number; result: SinkResult }> = [
    { count: count("block_count"), result: BLOCKED },
    { count: count("bounce_count"), result: BOUNCED },
    { count: count("lead_import_stopped_count"), result: LIMIT },
  ];
  // A list names the leads; without one, the count is all there is.
  for (const [key, countKey, result] of [
    ["invalid_emails", "invalid_email_count", INVALID],
    ["unsubscribed_leads", "unsubscribed_leads", UNSUBSCRIBED],
  ] as const) {
    const list = summary[key];
    if (Array.isArray(list)) {
      for (const email of emailsOf(list)) named.set(email, result);
    } else counted.push({ count: count(countKey), result });
  }
  return { named, counted };
}

/** Emails from a list of addresses or of `{ email }` objects. */
function emailsOf(list: unknown[]): string[] {
  return list.flatMap((item) => {
    const email = typeof item === "string" ? item : (item as { email?: unknown } | null)?.email;
    return typeof email === "string" ? [normalizeEmail(email)] : [];
  });
}

function final(reason: string): SinkResult {
  return { ok: false, retryable: false, reason };
}
