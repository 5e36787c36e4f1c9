/**
 * A local stand-in for Smartlead's "add leads to a campaign" API, for the
 * Smartlead sink's tests. Listens on a free loopback port; its url is the
 * sink's baseUrl.
 *
 * Followed (helpcenter.smartlead.ai "Full API Documentation", api.smartlead.ai reference and
 * guides "Lead management", "Rate limits"):
 * - `POST /api/v1/campaigns/{campaign_id}/leads?api_key=<key>`, body `{ lead_list: [{ email,
 *   first_name, last_name, company_name, website, phone_number, location, linkedin_profile,
 *   custom_fields }], settings: { ignore_global_block_list, ignore_unsubscribe_list,
 *   ignore_duplicate_leads_in_other_campaign } }`, each setting false by default; at most 100 leads.
 * - Answer 200 `{ ok: true, upload_count, total_leads, already_added_to_campaign, duplicate_count,
 *   invalid_email_count, invalid_emails, unsubscribed_leads, block_count, bounce_count,
 *   is_lead_limit_exhausted, lead_import_stopped_count }`.
 * - `GET /api/v1/campaigns/{campaign_id}?api_key=<key>` ("Get campaign by id"): answer 200 with
 *   the campaign `{ id, name, status, … }` (here `{ id, name, status }`).
 * - 10 requests every 2 s per key; over it 429 with `Retry-After` and
 *   `{ error: { code: "RATE_LIMIT_EXCEEDED", message, retry_after } }`.
 * Assumed (not documented): a missing or wrong key 401 `{ message }`; an unknown campaign 404; over
 * 100 leads 400; a lead already in this campaign counted in already_added_to_campaign and one in
 * another campaign in duplicate_count; unsubscribed_leads lists emails; `total_leads` counts the
 * leads added. Error texts echo the request line, query (and key) included, as a careless server
 * would: the sink must scrub it. Refused requests do not count in the window.
 */
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";

export interface SmartleadStandInOptions {
  /** The API key the stand-in accepts. */
  apiKey: string;
  /** Campaigns that exist. */
  campaignIds: string[];
  /** Requests admitted per rolling window. @defaultValue { requests: 10, perMs: 2_000 } */
  rateLimit?: { requests: number; perMs: number };
  /** Emails (or `@domain`s) on the global block list. */
  blockList?: string[];
  /** Emails that unsubscribed before. */
  unsubscribed?: string[];
  /** Emails that bounced before. */
  bounced?: string[];
}

export interface SmartleadStandIn {
  url: string;
  /** The emails in a campaign, in the order they were added. */
  leads(campaignId: string): string[];
  /** A stored lead of a campaign, as sent. */
  lead(campaignId: string, email: string): Record<string, unknown> | undefined;
  /** Puts a lead in a campaign as if someone had. */
  seed(campaignId: string, email: string): void;
  /** Upload requests received (the number of leads in each), faulted and refused ones included. */
  readonly uploads: number[];
  /** Requests answered 429 by the rate window (injected faults not included). */
  readonly rateLimited: number;
  /** Answers the next `count` requests with `status`. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

const MAX_LEADS = 100;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function startSmartleadStandIn(
  options: SmartleadStandInOptions,
): Promise<SmartleadStandIn> {
  const { requests: limit, perMs } = options.rateLimit ?? { requests: 10, perMs: 2_000 };
  const campaigns = new Map(
    options.campaignIds.map((id) => [id, new Map<string, Record<string, unknown>>()]),
  );
  const lower = (list: string[] | undefined) => new Set((list ?? []).map((e) => e.toLowerCase()));
  const blockList = lower(options.blockList);
  const unsubscribed = lower(options.unsubscribed);
  const bounced = lower(options.bounced);
  const admitted: number[] = [];
  const faults: number[] = [];
  const uploads: number[] = [];
  let rateLimited = 0;

  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `Cannot ${request.method} ${request.url}` }),
  );
  app.get<{ Params: { id: string }; Querystring: { api_key?: string } }>(
    "/api/v1/campaigns/:id",
    (request, reply) => {
      if (request.query.api_key !== options.apiKey) {
        return reply.code(401).send({ message: "Invalid API Key" });
      }
      if (!campaigns.has(request.params.id)) {
        return reply.code(404).send({ message: "Campaign not found" });
      }
      return reply.send({ id: Number(request.params.id), name: "Campaign", status: "ACTIVE" });
    },
  );

  app.post<{ Params: { id: string }; Querystring: { api_key?: string } }>(
    "/api/v1/campaigns/:id/leads",
    (request, reply) => {
      const body = (request.body ?? {}) as { lead_list?: unknown; settings?: unknown };
      uploads.push(Array.isArray(body.lead_list) ? body.lead_list.length : 0);
      const fault = faults.shift();
      if (fault !== undefined) return echo(request, reply, fault);
      if (request.query.api_key !== options.apiKey) {
        return reply.code(401).send({ message: "Invalid API Key" });
      }
      const now = Date.now();
      while (admitted.length > 0 && admitted[0]! <= now - perMs) admitted.shift();
      if (admitted.length >= limit) {
        rateLimited += 1;
        const seconds = Math.max(1, Math.ceil((admitted[0]! + perMs - now) / 1000));
        return reply
          .code(429)
          .header("retry-after", String(seconds))
          .send({
            error: {
              code: "RATE_LIMIT_EXCEEDED",
              message: `Too many requests. Please retry after ${seconds} seconds.`,
              retry_after: seconds,
            },
          });
      }
      admitted.push(now);
      if (!Array.isArray(body.lead_list) || body.lead_list.length > MAX_LEADS) {
        return reply
          .code(400)
          .send({ message: `lead_list must be an array of at most ${MAX_LEADS} leads` });
      }
      const campaign = campaigns.get(request.params.id);
      if (!campaign) return reply.code(404).send({ message: "Campaign not found" });
      const settings = (body.settings ?? {}) as Record<string, unknown>;
      const inOtherCampaign = (email: string) =>
        [...campaigns.values()].some((other) => other !== campaign && other.has(email));
      const summary = {
        ok: true,
        upload_count: body.lead_list.length,
        total_leads: 0,
        already_added_to_campaign: 0,
        duplicate_count: 0,
        invalid_email_count: 0,
        invalid_emails: [] as string[],
        unsubscribed_leads: [] as string[],
        block_count: 0,
        bounce_count: 0,
        is_lead_limit_exhausted: false,
        lead_import_stopped_count: 0,
      };
      for (const lead of body.lead_list as Array<Record<string, unknown>>) {
        const email = typeof lead?.email === "string" ? lead.email.trim().toLowerCase() : "";
        const domain = email.slice(email.indexOf("@"));
        if (!EMAIL.test(email)) {
          summary.invalid_email_count += 1;
          summary.invalid_emails.push(String(lead?.email ?? ""));
        } else if (campaign.has(email)) summary.already_added_to_campaign += 1;
        else if (
          settings.ignore_global_block_list !== true &&
          (blockList.has(email) || blockList.has(domain))
        ) {
          summary.block_count += 1;
        } else if (settings.ignore_unsubscribe_list !== true && unsubscribed.has(email)) {
          summary.unsubscribed_leads.push(email);
        } else if (bounced.has(email)) summary.bounce_count += 1;
        else if (
          settings.ignore_duplicate_leads_in_other_campaign !== true &&
          inOtherCampaign(email)
        ) {
          summary.duplicate_count += 1;
        } else {
          campaign.set(email, { ...lead, email });
          summary.total_leads += 1;
        }
      }
      return reply.send(summary);
    },
  );

  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
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

/** An injected fault whose text quotes the request line, key and all. */
function echo(request: FastifyRequest, reply: FastifyReply, status: number) {
  return reply.code(status).send({ message: `${status} for ${request.method} ${request.url}` });
}
