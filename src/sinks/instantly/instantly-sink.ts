/**
 * The Instantly sink: enriched leads join an Instantly campaign through API v2's
 * bulk add (`POST /leads/add`, at most 1,000 leads a request), authorized with
 * `Authorization: Bearer <apiKey>`. Instantly's limit is 100 requests a second
 * and 6,000 a minute for the whole workspace, shared with every key and
 * integration there, so the sink keeps to its ratePerSecond (10) and pauses
 * after a 429. Keyed on the lead's email: a lead already in the campaign is
 * delivered, never added twice.
 */
import type { z } from "zod";
import type { instantlySinkSchema } from "../../config/sink-schema.js";
import { systemClock } from "../../core/clock.js";
import { trimEndChar } from "../../core/text-scan.js";
import { type CampaignLeadMapping, campaignLeadMapping } from "../campaign/campaign-lead.js";
import { createCampaignSink } from "../campaign/campaign-sink.js";
import { sendUpload } from "../campaign/upload-request.js";
import type { Sink } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { INSTANTLY_HINTS, readInstantlyTally } from "./instantly-answer.js";

export type InstantlySinkConfig = z.output<typeof instantlySinkSchema>;

/** Instantly's limit of leads per bulk add. */
const MAX_BATCH = 1000;
const REQUEST_TIMEOUT_MS = 30_000;
// Instantly's limits are per second and per minute; a 429 without Retry-After waits out a second.
const PAUSE_WITHOUT_RETRY_AFTER_MS = 1000;

export const DEFAULT_INSTANTLY_MAPPING: CampaignLeadMapping = {
  fields: {
    email: ["work_email", "email"],
    first_name: ["first_name"],
    last_name: ["last_name"],
    company_name: ["company_name", "company"],
    website: ["website", "domain"],
    phone: ["phone", "phone_number"],
    personalization: ["personalization", "icebreaker"],
  },
  custom: {
    job_title: ["job_title", "title"],
    industry: ["industry"],
    country: ["country"],
    linkedin_url: ["linkedin_url"],
  },
};

export function createInstantlySink(config: InstantlySinkConfig, deps: SinkDeps = {}): Sink {
  const fetchImpl = deps.fetch ?? fetch;
  const clock = deps.clock ?? systemClock;
  const url = `${trimEndChar(config.baseUrl, "/")}/leads/add`;
  return createCampaignSink(
    {
      name: config.name,
      tool: "Instantly",
      maxBatch: MAX_BATCH,
      ratePerSecond: config.ratePerSecond,
      mapping: campaignLeadMapping(DEFAULT_INSTANTLY_MAPPING, {
        fields: config.fields,
        custom: config.customVariables,
      }),
      upload: (leads, signal) =>
        sendUpload(
          {
            tool: "Instantly",
            url,
            headers: { authorization: `Bearer ${config.apiKey}` },
            body: {
              campaign_id: config.campaignId,
              skip_if_in_workspace: config.skipIfInWorkspace,
              leads: leads.map(({ fields, custom }) =>
                Object.keys(custom).length === 0 ? fields : { ...fields, custom_variables: custom },
              ),
            },
            timeoutMs: REQUEST_TIMEOUT_MS,
            apiKey: config.apiKey,
            hints: INSTANTLY_HINTS,
            pauseWithoutRetryAfterMs: PAUSE_WITHOUT_RETRY_AFTER_MS,
            readTally: readInstantlyTally,
          },
          { fetch: fetchImpl, clock },
          signal,
        ),
    },
    deps,
  );
}
