/**
 * Generic CRM events: `POST /v1/events/:source` takes JSON events from a CRM's
 * outbound call (a Salesforce Flow HTTP callout, a workflow webhook), maps each
 * to a lead with the source's `crm.fields`, and answers 202 once all are durably
 * written, or 422 naming each bad event's paths, with nothing written.
 *
 * Its credential is the source's own shared secret, not a server API key: a
 * CRM gets the right to submit to its source and nothing else (an API key also
 * opens the DLQ and status routes). The secret is checked before the body is
 * read. The body is read as JSON whatever its content type, since low-code
 * senders do not always set one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CrmIntakeConfig } from "../../config/source-intake-schema.js";
import type { LeadIssue } from "../../core/lead.js";
import { crmEventToLead, readCrmEvents } from "../../intake/sources/crm-event-leads.js";
import { createSharedSecretCheck, type SecretCheck } from "../../intake/sources/shared-secret.js";
import { readAnyBodyAsJson } from "../json-body.js";
import { sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";

interface CrmRoute {
  config: CrmIntakeConfig;
  checkSecret: ReturnType<typeof createSharedSecretCheck>;
}

export function registerCrmEventRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config, metrics } = context;
  const routes = new Map<string, CrmRoute>();
  for (const source of config.sources) {
    if (!source.crm) continue;
    routes.set(source.name, {
      config: source.crm,
      checkSecret: createSharedSecretCheck(source.crm.secret, source.crm.secretHeader),
    });
  }
  if (routes.size === 0) return;
  const routeOf = (request: FastifyRequest) =>
    routes.get((request.params as { source: string }).source);

  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const route = routeOf(request);
    if (!route) {
      sendProblem(reply, 404, {
        error: "unknown_event_source",
        message: "No source with a crm block has this name.",
        hint: "Post to /v1/events/<source> of a source that has a crm block in the config.",
      });
      return;
    }
    const check = route.checkSecret(request.headers);
    if (check === "ok") {
      done();
      return;
    }
    if (route.config.secretHeader === "authorization") {
      reply.header("www-authenticate", 'Bearer realm="claypipe"');
    }
    sendProblem(reply, 401, {
      error: "unauthorized",
      message: SECRET_REFUSALS[check],
      hint:
        route.config.secretHeader === "authorization"
          ? "Send `Authorization: Bearer <secret>` with the source's crm.secret."
          : `Send the source's crm.secret in the ${route.config.secretHeader} header.`,
    });
  };

  app.register(async (scope) => {
    readAnyBodyAsJson(scope);
    scope.post("/v1/events/:source", { onRequest }, async (request, reply) => {
      const source = (request.params as { source: string }).source;
      const route = routeOf(request)!;
      const list = readCrmEvents(request.body, route.config.eventsPath);
      if (!list.ok) {
        return sendProblem(reply, 400, {
          error: list.error,
          message: list.message,
          hint: list.hint,
        });
      }
      const { maxBatch } = config.server;
      if (list.events.length > maxBatch) {
        return sendProblem(reply, 413, {
          error: "too_many_events",
          message: `The request has ${list.events.length} events; the limit is ${maxBatch} per request (server.maxBatch).`,
          hint: `Send at most ${maxBatch} events per request, or raise server.maxBatch.`,
        });
      }
      const leads: Array<Record<string, unknown>> = [];
      const invalid: Array<{ index: number; issues: LeadIssue[] }> = [];
      list.events.forEach((event, index) => {
        const mapped = crmEventToLead(event, route.config.fields);
        if (mapped.ok) leads.push(mapped.lead);
        else invalid.push({ index, issues: mapped.issues });
      });
      if (invalid.length > 0) {
        metrics.leadsRejected.inc({ source }, invalid.length);
        return sendProblem(reply, 422, {
          error: "invalid_events",
          message: `${invalid.length} of ${list.events.length} events are not leads claypipe can enrich; none of this request was accepted.`,
          hint: "Fix the values at the paths named in events[].issues (or the source's crm.fields mapping), then send the whole request again.",
          events: invalid,
        });
      }
      const result = await pipeline.submit(leads, { source });
      for (const lead of result.accepted) metrics.leadsAccepted.inc({ source, state: lead.state });
      if (result.rejected.length > 0) {
        // Validated above, so only a pipeline with stricter rules gets here; the accepted ones are written.
        metrics.leadsRejected.inc({ source }, result.rejected.length);
        return reply.code(202).send({ accepted: result.accepted, rejected: result.rejected });
      }
      return reply.code(202).send({ accepted: result.accepted });
    });
  });
}

const SECRET_REFUSALS: Record<Exclude<SecretCheck, "ok">, string> = {
  missing: "No secret was sent.",
  wrong: "The secret is not this source's.",
};
