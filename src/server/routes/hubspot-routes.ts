/**
 * HubSpot webhooks: `POST /v1/hubspot/:source` takes a batch of contact events
 * from a HubSpot app's webhook subscriptions. The v3 signature is the
 * credential (over the raw body, so the body is read as text and parsed only
 * once it is verified). The contacts the events name are read from HubSpot's
 * API, then written as leads, and only then is HubSpot answered 200.
 *
 * Reading before answering makes HubSpot wait (at most `readTimeout`), but an
 * answer after the durable write is what keeps a batch from being lost: if the
 * read fails or runs out of time, nothing is written and the 503 makes HubSpot
 * send the batch again later (its retries span about a day). Events that cannot
 * become leads (other types, deleted contacts, contacts with no email or name)
 * are acknowledged and counted as skipped, since a retry would not change them.
 * Answers follow HubSpot's reading of status codes: 400 and 401 are not retried.
 */
import type { FastifyInstance } from "fastify";
import type { HubspotIntakeConfig } from "../../config/source-intake-schema.js";
import { ClaypipeError } from "../../core/errors.js";
import { trimEndChar } from "../../core/text-scan.js";
import {
  hubspotContactToLead,
  hubspotPropertyMapping,
} from "../../intake/sources/hubspot-contact-lead.js";
import {
  createHubspotContactReader,
  type HubspotContactReader,
} from "../../intake/sources/hubspot-contact-reader.js";
import { verifyHubspotSignature } from "../../intake/sources/hubspot-signature.js";
import { readHubspotEvents } from "../../intake/sources/hubspot-webhook-events.js";
import { parseJsonBody } from "../json-body.js";
import { sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";

interface HubspotRoute {
  config: HubspotIntakeConfig;
  /** The URL HubSpot signs. */
  targetUrl: string;
  mapping: Readonly<Record<string, string>>;
  reader: HubspotContactReader;
}

export function registerHubspotRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config, logger, metrics } = context;
  const routes = new Map<string, HubspotRoute>();
  for (const source of config.sources) {
    if (!source.hubspot) continue;
    const mapping = hubspotPropertyMapping(source.hubspot);
    routes.set(source.name, {
      config: source.hubspot,
      targetUrl: targetUrlOf(source.name, source.hubspot, config.callbacks?.baseUrl),
      mapping,
      reader: createHubspotContactReader({
        apiBaseUrl: source.hubspot.apiBaseUrl,
        accessToken: source.hubspot.accessToken,
        properties: [...new Set(Object.values(mapping))],
      }),
    });
  }
  if (routes.size === 0) return;

  app.register(async (scope) => {
    // The raw text, whatever the content type: the signature covers the body byte for byte.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
      done(null, String(body));
    });

    scope.post("/v1/hubspot/:source", async (request, reply) => {
      const source = (request.params as { source: string }).source;
      const route = routes.get(source);
      if (!route) {
        return sendProblem(reply, 404, {
          error: "unknown_hubspot_source",
          message: "No source with a hubspot block has this name.",
          hint: "Set the HubSpot app's target URL to /v1/hubspot/<source> of a source that has a hubspot block.",
        });
      }
      const body = typeof request.body === "string" ? request.body : "";
      const check = verifyHubspotSignature(
        route.config.clientSecret,
        {
          method: request.method,
          uri: route.targetUrl,
          body,
          signature: header(request.headers["x-hubspot-signature-v3"]),
          timestamp: header(request.headers["x-hubspot-request-timestamp"]),
        },
        Date.now(),
      );
      if (check !== "ok") {
        logger.warn({ reqId: request.id, source, reason: check }, "hubspot webhook refused");
        return sendProblem(reply, 401, {
          error: "unauthorized",
          reason: check,
          message: REFUSALS[check],
          hint: `Check that hubspot.clientSecret is the app's client secret and that HubSpot calls exactly ${route.targetUrl} (hubspot.targetUrl).`,
        });
      }

      const batch = readHubspotEvents(parseJsonBody(body), route.config.events);
      if (!batch.ok) {
        return sendProblem(reply, 400, {
          error: "invalid_body",
          message: batch.message,
          hint: "Point only HubSpot webhook subscriptions (Webhooks API) at this URL.",
        });
      }
      const read = await route.reader.read(batch.contactIds, route.config.readTimeout);
      if (!read.ok) {
        logger.warn(
          { reqId: request.id, source, contacts: batch.contactIds.length, reason: read.reason },
          "hubspot contacts could not be read; nothing written, HubSpot will send the batch again",
        );
        reply.header("retry-after", "5");
        return sendProblem(reply, 503, {
          error: "hubspot_unavailable",
          message: `The batch's contacts could not be read from HubSpot: ${read.reason}.`,
          hint: "Nothing was written; HubSpot sends the batch again later. Fix the cause if it is on this side (the token).",
        });
      }

      const leads = batch.contactIds.flatMap((id) => {
        const properties = read.contacts.get(id);
        return properties ? [hubspotContactToLead(id, properties, route.mapping)] : [];
      });
      const result =
        leads.length > 0
          ? await pipeline.submit(leads, { source })
          : { accepted: [], rejected: [] };
      for (const lead of result.accepted) metrics.leadsAccepted.inc({ source, state: lead.state });
      if (result.rejected.length > 0) metrics.leadsRejected.inc({ source }, result.rejected.length);
      const skipped = {
        events: batch.skipped,
        missingContacts: batch.contactIds.length - leads.length,
        invalidContacts: result.rejected.length,
      };
      logger.info(
        {
          reqId: request.id,
          source,
          events: batch.events,
          accepted: result.accepted.length,
          skipped,
        },
        "hubspot webhook batch taken",
      );
      return reply.code(200).send({ ok: true, accepted: result.accepted.length, skipped });
    });
  });
}

/** The URL HubSpot calls: as configured, or this service's public base URL and the route. */
function targetUrlOf(
  source: string,
  hubspot: HubspotIntakeConfig,
  publicBaseUrl: string | undefined,
): string {
  if (hubspot.targetUrl !== undefined) return hubspot.targetUrl;
  if (publicBaseUrl === undefined) {
    throw new ClaypipeError(
      "config_invalid",
      `sources.${source}.hubspot has no targetUrl, and there is no callbacks.baseUrl to derive it from`,
      { hint: "set hubspot.targetUrl to the webhook target URL of the HubSpot app" },
    );
  }
  return `${trimEndChar(publicBaseUrl, "/")}/v1/hubspot/${source}`;
}

const REFUSALS = {
  missing: "The request has no X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header.",
  expired:
    "The request's X-HubSpot-Request-Timestamp is not within 5 minutes of this server's clock.",
  bad_signature: "The request's X-HubSpot-Signature-v3 does not match its body and URL.",
} as const;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
