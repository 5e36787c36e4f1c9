/** `GET /v1/status` (Bearer): the full PipelineStatus, as `claypipe status --json` prints it. */
import type { FastifyInstance } from "fastify";
import { requireApiKey } from "../bearer-auth.js";
import type { ServerContext } from "../server-context.js";

export function registerStatusRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config } = context;
  app.get("/v1/status", { onRequest: requireApiKey(config.server.apiKeys) }, () =>
    pipeline.status(),
  );
}
