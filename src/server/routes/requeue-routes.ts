/**
 * `POST /v1/leads/requeue` (Bearer): sends waiting leads back to the outbox
 * now — deferred ones by default; `state: "skipped"` sends leads a pre-send
 * rule skipped anyway — to the table their source sends to today,
 * or to the `table` named. The body filters which: `state`, `reason`
 * ("credit_cap" or "no_capacity"), `source`, `fromTable`. An empty body
 * requeues every deferred lead, which only makes each one check again.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { REQUEUE_STATES } from "../../pipeline/requeue-leads.js";
import { WAIT_KINDS } from "../../pipeline/wait-reasons.js";
import { requireApiKey } from "../bearer-auth.js";
import { describeFieldIssues, fieldIssues, sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";

const name = z.string().min(1).max(200);

const requeueFilterSchema = z
  .object({
    state: z.enum(REQUEUE_STATES).optional(),
    reason: z.enum(WAIT_KINDS).optional(),
    source: name.optional(),
    fromTable: name.optional(),
    table: name.optional(),
  })
  .strict();

export function registerRequeueRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config } = context;

  app.post(
    "/v1/leads/requeue",
    { onRequest: requireApiKey(config.server.apiKeys) },
    async (request, reply) => {
      // No body: every deferred lead. A body of null or a non-object is a mistake, not "all".
      const filter = requeueFilterSchema.safeParse(request.body === undefined ? {} : request.body);
      if (!filter.success) {
        const issues = fieldIssues(filter.error.issues);
        return sendProblem(reply, 400, {
          error: "invalid_request",
          message: `The request is invalid: ${describeFieldIssues(issues)}.`,
          hint: 'Send a JSON filter: state ("deferred" or "retrying"), reason ("credit_cap" or "no_capacity"), source, fromTable, and table (where they go).',
          issues,
        });
      }
      return pipeline.requeue(filter.data);
    },
  );
}
