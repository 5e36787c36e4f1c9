/**
 * A local stand-in for Instantly's API v2 bulk add, for the Instantly sink's
 * tests. Listens on a free loopback port; its url is the sink's baseUrl.
 *
 * Followed (developer.instantly.ai, "Add leads in bulk to a campaign or list",
 * "Rate limit"):
 * - `POST /api/v2/leads/add`, `Authorization: Bearer <key>`, body `{ campaign_id, leads: [{ email,
 *   first_name, last_name, company_name, website, phone, personalization, custom_variables }],
 *   skip_if_in_workspace, … }`; 1 to 1,000 leads; with a campaign, every lead needs an email.
 * - Answer 200 `{ status: "success", total_sent, leads_uploaded, in_blocklist, blocklist_used,
 *   duplicated_leads, skipped_count, invalid_email_count, incomplete_count, duplicate_email_count,
 *   remaining_in_plan, created_leads: [{ id, email, index }] }`; leads on the blocklist are skipped.
 * - `GET /api/v2/campaigns/{id}` ("Get campaign"), same auth: answer 200 with the campaign
 *   `{ id, name, status, … }` (here `{ id, name, status }`).
 * - Over the workspace's limit (100 requests a second, 6,000 a minute): 429.
 * Assumed (not documented): error bodies in Fastify's shape `{ statusCode, error, message }`; a bad
 * key 401, an unknown campaign 404, over 1,000 leads 400; a lead already in the campaign counted in
 * duplicated_leads, one in another campaign with skip_if_in_workspace in skipped_count; a 429 carries
 * Retry-After only when `retryAfterSeconds` is set; refused requests do not count in the window; a lead
 * past the plan's limit is neither added nor counted, and remaining_in_plan reads 0.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply } from "fastify";

export interface InstantlyStandInOptions {
  /** The API key the stand-in accepts. */
  apiKey: string;
  /** Campaigns that exist. */
  campaignIds: string[];
  /** Requests admitted per rolling window. @defaultValue { requests: 100, perMs: 1_000 } */
  rateLimit?: { requests: number; perMs: number };
  /** Retry-After on a 429, in seconds. @defaultValue none */
  retryAfterSeconds?: number;
  /** Emails (or `@domain`s) on the workspace's blocklist. */
  blocklist?: string[];
  /** Leads the plan still takes; past them leads are neither added nor counted. @defaultValue 100_000 */
  remainingInPlan?: number;
}

export interface InstantlyStandIn {
  url: string;
  /** The emails in a campaign, in the order they were added. */
  leads(campaignId: string): string[];
  /** The stored lead (its fields as sent) of a campaign. */
  lead(campaignId: string, email: string): Record<string, unknown> | undefined;
  /** Adds a lead to a campaign as if someone had (the workspace's own duplicate). */
  seed(campaignId: string, email: string): void;
  /** Upload requests received (the number of leads in each), faulted and refused ones included. */
  readonly uploads: number[];
  /** Requests answered 429 by the rate window (injected faults not included). */
  readonly rateLimited: number;
  /** Answers the next `count` requests with `status`. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

const MAX_LEADS = 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function startInstantlyStandIn(
  options: InstantlyStandInOptions,
): Promise<InstantlyStandIn> {
  const { requests: limit, perMs } = options.rateLimit ?? { requests: 100, perMs: 1_000 };
  const campaigns = new Map(
    options.campaignIds.map((id) => [id, new Map<string, Record<string, unknown>>()]),
  );
  const blocklist = new Set((options.blocklist ?? []).map((entry) => entry.toLowerCase()));
  const admitted: number[] = [];
  const faults: number[] = [];
  const uploads: number[] = [];
  let rateLimited = 0;
  let remainingInPlan = options.remainingInPlan ?? 100_000;

  const error = (reply: FastifyReply, statusCode: number, message: string) =>
    reply.code(statusCode).send({ statusCode, error: ERRORS[statusCode] ?? "Error", message });

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  app.get<{ Params: { id: string } }>("/api/v2/campaigns/:id", (request, reply) => {
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(reply, 401, "Invalid API key");
    }
    if (!campaigns.has(request.params.id)) return error(reply, 404, "Campaign not found");
    return reply.send({ id: request.params.id, name: `Campaign ${request.params.id}`, status: 1 });
  });

  app.post("/api/v2/leads/add", (request, reply) => {
    const body = (request.body ?? {}) as {
      campaign_id?: unknown;
      leads?: unknown;
      skip_if_in_workspace?: unknown;
    };
    uploads.push(Array.isArray(body.leads) ? body.leads.length : 0);
    const fault = faults.shift();
    if (fault !== undefined) return error(reply, fault, `injected fault ${fault}`);
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(reply, 401, "Invalid API key");
    }
    const now = Date.now();
    while (admitted.length > 0 && admitted[0]! <= now - perMs) admitted.shift();
    if (admitted.length >= limit) {
      rateLimited += 1;
      if (options.retryAfterSeconds !== undefined) {
        reply.header("retry-after", String(options.retryAfterSeconds));
      }
      return error(reply, 429, "Too Many Requests");
    }
    admitted.push(now);
    if (!Array.isArray(body.leads) || body.leads.length < 1 || body.leads.length > MAX_LEADS) {
      return error(reply, 400, `body/leads must hold 1 to ${MAX_LEADS} items`);
    }
    const campaign = campaigns.get(String(body.campaign_id));
    if (!campaign) return error(reply, 404, "Campaign not found");
    const inOtherCampaign = (email: string) =>
      [...campaigns.values()].some((other) => other !== campaign && other.has(email));
    const summary = {
      status: "success",
      total_sent: body.leads.length,
      leads_uploaded: 0,
      in_blocklist: 0,
      blocklist_used: randomUUID(),
      duplicated_leads: 0,
      skipped_count: 0,
      invalid_email_count: 0,
      incomplete_count: 0,
      duplicate_email_count: 0,
      remaining_in_plan: remainingInPlan,
      created_leads: [] as Array<{ id: string; email: string; index: number }>,
    };
    const seen = new Set<string>();
    (body.leads as Array<Record<string, unknown>>).forEach((lead, index) => {
      if (typeof lead?.email !== "string" || lead.email.trim() === "") {
        summary.incomplete_count += 1;
        return;
      }
      const email = lead.email.trim().toLowerCase();
      if (!EMAIL.test(email)) summary.invalid_email_count += 1;
      else if (seen.has(email)) summary.duplicate_email_count += 1;
      else if (blocklist.has(email) || blocklist.has(email.slice(email.indexOf("@")))) {
        summary.in_blocklist += 1;
      } else if (campaign.has(email)) summary.duplicated_leads += 1;
      else if (body.skip_if_in_workspace === true && inOtherCampaign(email)) {
        summary.skipped_count += 1;
      } else if (remainingInPlan > 0) {
        campaign.set(email, { ...lead, email });
        remainingInPlan -= 1;
        summary.remaining_in_plan = remainingInPlan;
        summary.leads_uploaded += 1;
        summary.created_leads.push({ id: randomUUID(), email, index });
      }
      seen.add(email);
    });
    return reply.send(summary);
  });

  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v2`,
    leads: (campaignId) => [...(campaigns.get(campaignId)?.keys() ?? [])],
    lead: (campaignId, email) => campaigns.get(campaignId)?.get(email),
    seed(campaignId, email) {
      campaigns.get(campaignId)?.set(email, { email });
    },
    uploads,
    get rateLimited() {
      return rateLimited;
    },
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) faults.push(status);
    },
    close: () => app.close(),
  };
}

const ERRORS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};
