/**
 * Intake: `POST /v1/leads` takes one lead or a batch, all or nothing, and
 * answers 202 once every lead is durably written; `GET /v1/leads/:id` says
 * where a lead is and why (state, reason, history, result, routes, deliveries).
 * Both need a Bearer API key.
 */
import type { FastifyInstance } from "fastify";
import { requireApiKey } from "../bearer-auth.js";
import { sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";
import { invalidLeads, readLeadBatch } from "./lead-batch.js";

export function registerIntakeRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config, logger, metrics } = context;
  const onRequest = requireApiKey(config.server.apiKeys);
  const sources = config.sources.map((source) => source.name);

  app.post("/v1/leads", { onRequest }, async (request, reply) => {
    const batch = readLeadBatch(request.body, (request.query as { source?: unknown }).source, {
      maxBatch: config.server.maxBatch,
      sources,
    });
    if (!batch.ok) return sendProblem(reply, batch.status, batch.problem);
    const source = batch.source ?? "default";

    const invalid = invalidLeads(batch.inputs);
    if (invalid.length > 0) {
      metrics.leadsRejected.inc({ source }, invalid.length);
      return sendProblem(reply, 422, {
        error: "invalid_leads",
        message: `${invalid.length} of ${batch.inputs.length} leads are invalid; none of this batch was accepted.`,
        hint: "Fix the fields named in leads[].issues, then send the whole batch again.",
        leads: invalid,
      });
    }

    const result = await pipeline.submit(
      batch.inputs,
      batch.source === undefined ? {} : { source: batch.source },
    );
    for (const lead of result.accepted) metrics.leadsAccepted.inc({ source, state: lead.state });
    if (result.rejected.length > 0) {
      // Validated above, so only a pipeline with stricter rules gets here; the accepted ones are written.
      metrics.leadsRejected.inc({ source }, result.rejected.length);
      logger.warn(
        { reqId: request.id, rejected: result.rejected.length },
        "the pipeline refused leads the server had validated",
      );
      return reply.code(202).send({ accepted: result.accepted, rejected: result.rejected });
    }
    return reply.code(202).send({ accepted: result.accepted });
  });

  app.get("/v1/leads/:id", { onRequest }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const view = await pipeline.getLead(id);
    if (!view) {
      return sendProblem(reply, 404, {
        error: "lead_not_found",
        message: "No lead has this id.",
        hint: "Use an id from the `accepted` list of POST /v1/leads; purged dead leads are gone for good.",
      });
    }
    return view;
  });
}
