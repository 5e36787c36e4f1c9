/**
 * The DLQ over HTTP (Bearer): list dead leads, inspect one, replay (one or in
 * bulk by reason, source, or when they died or came in; `sink` replays a sink's dead deliveries
 * instead), and purge. A replay never spends credits on a lead whose
 * enrichment already came back: the pipeline routes it from its stored result.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { z } from "zod";
import { requireApiKey } from "../bearer-auth.js";
import { describeFieldIssues, fieldIssues, sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";
import { dlqListQuerySchema, dlqPurgeFilterSchema, dlqReplayFilterSchema } from "./dlq-filters.js";

export function registerDlqRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config } = context;
  const onRequest = requireApiKey(config.server.apiKeys);

  app.get("/v1/dlq", { onRequest }, async (request, reply) => {
    const query = dlqListQuerySchema.safeParse(request.query);
    if (!query.success)
      return invalidRequest(
        reply,
        query.error,
        "Fix the query parameters: reason, source, diedAfter, diedBefore, createdAfter, createdBefore, cursor, limit (1–1000).",
      );
    return pipeline.deadLetters.list(query.data);
  });

  app.get("/v1/dlq/:id", { onRequest }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const view = await pipeline.deadLetters.inspect(id);
    if (!view) {
      return sendProblem(reply, 404, {
        error: "lead_not_found",
        message: "No lead has this id.",
        hint: "List the DLQ with GET /v1/dlq to find ids; purged leads are gone for good.",
      });
    }
    return view;
  });

  app.post("/v1/dlq/replay", { onRequest }, async (request, reply) => {
    const filter = dlqReplayFilterSchema.safeParse(request.body ?? {});
    if (!filter.success)
      return invalidRequest(
        reply,
        filter.error,
        "Send a JSON filter: ids, reason, source, diedAfter, diedBefore, createdAfter, createdBefore, and optionally sink.",
      );
    return pipeline.deadLetters.replay(filter.data);
  });

  app.post("/v1/dlq/purge", { onRequest }, async (request, reply) => {
    const filter = dlqPurgeFilterSchema.safeParse(request.body ?? {});
    if (!filter.success)
      return invalidRequest(
        reply,
        filter.error,
        "Send a JSON filter: ids, reason, source, diedAfter, diedBefore, createdAfter, createdBefore.",
      );
    return pipeline.deadLetters.purge(filter.data);
  });
}

function invalidRequest(reply: FastifyReply, error: z.ZodError, hint: string): FastifyReply {
  const issues = fieldIssues(error.issues);
  return sendProblem(reply, 400, {
    error: "invalid_request",
    message: `The request is invalid: ${describeFieldIssues(issues)}.`,
    hint,
    issues,
  });
}
