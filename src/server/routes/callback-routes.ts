/**
 * The callback receiver's door: `POST /v1/callbacks/clay/:token`, where Clay's
 * HTTP API column posts each enriched row. There is no API key: the signed
 * token in the URL is the credential, and the pipeline verifies it. The body is
 * read as JSON whatever its content type, because Clay sends only the headers
 * the column was given. Neither the body nor the token is ever logged.
 */
import type { FastifyInstance } from "fastify";
import type { CallbackAnswer } from "../../pipeline/pipeline-api.js";
import { readAnyBodyAsJson } from "../json-body.js";
import { type Problem, sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";

/** A Clay row with enrichment columns is far below this; it bounds what one callback costs. */
export const CALLBACK_BODY_LIMIT = 1_048_576;

export function registerCallbackRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, metrics } = context;

  app.register(async (scope) => {
    readAnyBodyAsJson(scope);
    scope.post(
      "/v1/callbacks/clay/:token",
      { bodyLimit: CALLBACK_BODY_LIMIT },
      async (request, reply) => {
        const body = request.body;
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          metrics.callbacks.inc({ outcome: "invalid_body" });
          return sendProblem(reply, 400, {
            error: "invalid_callback_body",
            message: "The callback body must be a JSON object: the enriched row.",
            hint: "Set the HTTP API column's body to the row's fields as one JSON object.",
          });
        }
        const { token } = request.params as { token: string };
        const answer = await pipeline.receiveCallback(token, body);
        metrics.callbacks.inc({ outcome: answer.status === 200 ? answer.outcome : answer.reason });
        if (answer.status === 200)
          return reply.code(200).send({ ok: true, outcome: answer.outcome });
        return sendProblem(reply, answer.status, refusal(answer));
      },
    );
  });
}

function refusal(answer: Exclude<CallbackAnswer, { status: 200 }>): Problem {
  switch (answer.reason) {
    case "malformed":
    case "bad_signature":
    case "expired":
      return {
        error: "unauthorized",
        reason: answer.reason,
        message:
          answer.reason === "expired"
            ? "The callback URL has expired."
            : "The callback URL's token is not one claypipe signed.",
        hint: "Post to the callback_url claypipe put in the row, unchanged; an expired lead is retried or dead-lettered by claypipe.",
      };
    case "unknown_lead":
      return {
        error: "unknown_lead",
        message: "The callback's lead no longer exists.",
        hint: "Nothing to do: the lead was purged from the DLQ.",
      };
    case "stale_attempt":
      return {
        error: "stale_attempt",
        message: "The callback answers an earlier send of the lead, which has been replaced.",
        hint: "Nothing to do: the newer send's callback is the one that counts.",
      };
  }
}
