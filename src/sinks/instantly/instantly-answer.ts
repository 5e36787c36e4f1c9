/**
 * Instantly's answer to `POST /api/v2/leads/add`, as documented
 * (developer.instantly.ai, "Add leads in bulk to a campaign or list"): a
 * summary with counts (`leads_uploaded`, `duplicated_leads`, `in_blocklist`,
 * `invalid_email_count`, `incomplete_count`, `skipped_count`, …) and
 * `created_leads: [{ id, email, index }]`. A lead in `created_leads` was added;
 * the counts say why the others were not.
 *
 * Assumed (the docs give the fields, not their exact meaning): a lead already
 * in this campaign is counted in `duplicated_leads` and skipped_count covers
 * the skip_if_* rules; both count as delivered, since the lead is where it
 * should be (or where the sink's own rule keeps it). Blocklisted, invalid and
 * incomplete leads fail for good: no retry can add them. Leads no count
 * accounts for fail for good when `remaining_in_plan` is 0 (the plan is
 * full), else they are tried again.
 */
import { normalizeEmail } from "../../core/lead.js";
import type { UploadTally } from "../campaign/upload-tally.js";
import type { SinkResult } from "../sink.js";

const OK: SinkResult = { ok: true };

const BLOCKED = final(
  "Instantly skipped the lead: its email or domain is on the workspace's blocklist. Remove it from the blocklist if it should be contacted, then replay the sink's dead letters",
);
const INVALID = final(
  "Instantly refused the lead's email as invalid: correct it at the source and send the lead again",
);
const INCOMPLETE = final(
  "Instantly skipped the lead as incomplete (a field it requires is missing): check the sink's fields mapping",
);

const PLAN_FULL = final(
  "Instantly did not add the lead: the workspace's plan takes no more leads (remaining_in_plan is 0). Raise the plan's limit, then replay the sink's dead letters",
);
const UNEXPLAINED: SinkResult = {
  ok: false,
  retryable: true,
  reason: "Instantly neither added the lead nor counted it as present, blocked or invalid",
};

/** Every count of a lead's fate in the summary. */
const ACCOUNTED = [
  "leads_uploaded",
  "duplicated_leads",
  "skipped_count",
  "in_blocklist",
  "invalid_email_count",
  "incomplete_count",
  "duplicate_email_count",
];

/** What a person should do about each refusal of the whole upload. */
export const INSTANTLY_HINTS: Readonly<Record<number, string>> = {
  400: "check the sink's campaignId (a UUID) and its fields and customVariables against Instantly's lead fields",
  401: "the sink's apiKey is wrong or revoked: create an API v2 key in Instantly (Settings → Integrations → API Keys) with the leads:create scope and set the sink's apiKey to it",
  402: "the workspace's plan takes no more leads: raise the plan's limit, then replay the sink's dead letters",
  403: "the API key lacks the leads:create scope: create a key that has it (or leads:all) and set the sink's apiKey to it",
  404: "no such campaign: check the sink's campaignId (the UUID in the campaign's address) and that the key belongs to the campaign's workspace",
};

export function readInstantlyTally(body: unknown): UploadTally | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const summary = body as Record<string, unknown>;
  if (typeof summary.total_sent !== "number" && typeof summary.leads_uploaded !== "number") {
    return undefined;
  }
  const named = new Map<string, SinkResult>();
  if (Array.isArray(summary.created_leads)) {
    for (const created of summary.created_leads as Array<{ email?: unknown }>) {
      if (typeof created?.email === "string") named.set(normalizeEmail(created.email), OK);
    }
  }
  const count = (key: string) => (typeof summary[key] === "number" ? (summary[key] as number) : 0);
  // Leads no count accounts for were not added, for a reason the answer does not give.
  const accounted = ACCOUNTED.reduce((sum, key) => sum + count(key), 0);
  const unexplained = Math.max(0, count("total_sent") - accounted);
  const planFull = summary.remaining_in_plan === 0;
  return {
    named,
    counted: [
      { count: count("in_blocklist"), result: BLOCKED },
      { count: count("invalid_email_count"), result: INVALID },
      { count: count("incomplete_count"), result: INCOMPLETE },
      { count: unexplained, result: planFull ? PLAN_FULL : UNEXPLAINED },
    ],
  };
}

function final(reason: string): SinkResult {
  return { ok: false, retryable: false, reason };
}
