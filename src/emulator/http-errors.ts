/**
 * Error answers in one JSON shape, `{ error, message }`: a stable code to branch on and
 * a sentence that says what is wrong. Clay's own error bodies are undocumented, so
 * clients must never depend on these; they are for the people developing against it.
 */
import type { FastifyInstance, FastifyReply } from "fastify";

export interface ErrorBody {
  error: string;
  message: string;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  retryAfterSeconds?: number,
): FastifyReply {
  if (retryAfterSeconds !== undefined) {
    reply.header("retry-after", String(Math.max(1, Math.ceil(retryAfterSeconds))));
  }
  return reply.code(status).send({ error, message } satisfies ErrorBody);
}

/** Fastify's own errors (bad JSON, unknown route) in the same shape. */
export function useJsonErrors(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      "route_not_found",
      `No emulator route for ${request.method} ${request.url}.`,
    ),
  );
  app.setErrorHandler(
    (error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      return sendError(reply, status, error.code ?? "internal_error", error.message);
    },
  );
}
