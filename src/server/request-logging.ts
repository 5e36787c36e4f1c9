/**
 * One debug line and one set of metrics per answered request: method, route
 * pattern, status and duration. The route pattern stands in for the URL, so a
 * callback's token never reaches a log line or a metric label; bodies are never
 * logged.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "../logging/create-logger.js";
import type { ServerMetrics } from "./server-metrics.js";

/** The matched route's pattern (`/v1/callbacks/clay/:token`), or "unmatched". */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? "unmatched";
}

export function useRequestLogging(
  app: FastifyInstance,
  logger: Logger,
  metrics: ServerMetrics,
): void {
  // Callback-style hooks: they run on every request, and an async hook costs a promise each.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    const route = routeOf(request);
    const { method } = request;
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.httpRequests.inc({ method, route, status: String(status) });
    metrics.httpDuration.observe({ method, route }, ms / 1000);
    logger.debug(
      { reqId: request.id, method, route, status, ms: Math.round(ms * 10) / 10 },
      "request",
    );
    done();
  });
}
