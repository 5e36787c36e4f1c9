/**
 * The Smartlead sink: enriched leads join a Smartlead campaign through
 * `POST /campaigns/{campaignId}/leads?api_key=…`, at most 100 leads a request.
 * The key travels in the query string, so the address is never logged and
 * every reason is scrubbed of the key. Smartlead limits a key to 10 requests
 * every 2 s (help center) or 60 a minute (API reference, Standard plan); the
 * sink's default ratePerSecond of 1 keeps under both, and it pauses after a
 * 429. Keyed on the lead's email: a lead already in the campaign is
 * delivered, never added twice.
 */
import type { z } from "zod";
import type { smartleadSinkSchema } from "../../config/sink-schema.js";
import { systemClock } from "../../core/clock.js";
import { trimEndChar } from "../../core/text-scan.js";
import { type CampaignLeadMapping, campaignLeadMapping } from "../campaign/campaign-lead.js";
import { createCampaignSink } from "../campaign/campaign-sink.js";
import { sendUpload } from "../campaign/upload-request.js";
import type { Sink } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { readSmartleadTally, SMARTLEAD_HINTS } from "./smartlead-answer.js";

export type SmartleadSinkConfig = z.output<typeof smartleadSinkSchema>;

/**
 * Leads per request. The help center's API page and the brief say 100; the
 * newer API reference allows 400. 100 is within both.
 */
const MAX_BATCH = 100;
const REQUEST_TIMEOUT_MS = 30_000;
// The help center's window is 2 s: a 429 without Retry-After waits one window.
const PAUSE_WITHOUT_RETRY_AFTER_MS = 2000;

export const DEFAULT_SMARTLEAD_MAPPING: CampaignLeadMapping = {
  fields: {
    email: ["work_email", "email"],
    first_name: ["first_name"],
    last_name: ["last_name"],
    company_name: ["company_name", "company"],
    website: ["website", "domain"],
    phone_number: ["phone_number", "phone"],
    location: ["location", "country"],
    linkedin_profile: ["linkedin_url"],
  },
  custom: {
    job_title: ["job_title", "title"],
    industry: ["industry"],
    personalization: ["personalization", "icebreaker"],
  },
};

export function createSmartleadSink(config: SmartleadSinkConfig, deps: SinkDeps = {}): Sink {
  const fetchImpl = deps.fetch ?? fetch;
  const clock = deps.clock ?? systemClock;
  const url = `${trimEndChar(config.baseUrl, "/")}/campaigns/${encodeURIComponent(config.campaignId)}/leads?api_key=${encodeURIComponent(config.apiKey)}`;
  const settings = {
    ignore_global_block_list: config.ignoreGlobalBlockList,
    ignore_unsubscribe_list: config.ignoreUnsubscribeList,
    ignore_duplicate_leads_in_other_campaign: config.ignoreDuplicateLeadsInOtherCampaign,
  };
  return createCampaignSink(
    {
      name: config.name,
      tool: "Smartlead",
      maxBatch: MAX_BATCH,
      ratePerSecond: config.ratePerSecond,
      mapping: campaignLeadMapping(DEFAULT_SMARTLEAD_MAPPING, {
        fields: config.fields,
        custom: config.customFields,
      }),
      upload: (leads, signal) =>
        sendUpload(
          {
            tool: "Smartlead",
            url,
            headers: {},
            body: {
              lead_list: leads.map(({ fields, custom }) =>
                Object.keys(custom).length === 0 ? fields : { ...fields, custom_fields: custom },
              ),
              settings,
            },
            timeoutMs: REQUEST_TIMEOUT_MS,
            apiKey: config.apiKey,
            hints: SMARTLEAD_HINTS,
            pauseWithoutRetryAfterMs: PAUSE_WITHOUT_RETRY_AFTER_MS,
            readTally: readSmartleadTally,
          },
          { fetch: fetchImpl, clock },
          signal,
        ),
    },
    deps,
  );
}
