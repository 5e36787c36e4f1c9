/**
 * Probes: `GET /healthz` (the process answers), `GET /readyz` (the pipeline
 * can read its status, so its store, its queue's Redis and its bus answer) and
 * `GET /metrics` (Prometheus text, the pipeline gauges refreshed on each
 * scrape). Open, for orchestrators and scrapers; a worker's ops port serves
 * only these.
 */
import type { FastifyInstance } from "fastify";
import { coerceError } from "../../core/errors.js";
import { sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";

export function registerOpsRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, logger, metrics } = context;

  app.get("/healthz", async () => ({ ok: true }));

  app.get("/readyz", async (request, reply) => {
    try {
      await pipeline.status();
      return { ready: true };
    } catch (error) {
      logger.warn(
        { reqId: request.id, err: coerceError(error) },
        "not ready: the pipeline status cannot be read",
      );
      return sendProblem(reply, 503, {
        error: "not_ready",
        message: "The pipeline cannot read its status; its store may be unavailable.",
        hint: "Check the server log for the cause; the probe passes again once the store answers.",
      });
    }
  });

  app.get("/metrics", async (request, reply) => {
    try {
      metrics.observeStatus(await pipeline.status());
    } catch (error) {
      // The request metrics are still worth a scrape; claypipe_status_up says the rest is missing.
      logger.warn(
        { reqId: request.id, err: coerceError(error) },
        "metrics: the pipeline status cannot be read",
      );
      metrics.observeStatusFailure();
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
