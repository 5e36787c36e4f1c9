/**
 * The HTTP app that fronts a Pipeline (Fastify): intake, Clay callbacks, the
 * DLQ, and operations (health, readiness, status, metrics). It owns no state of
 * its own; the pipeline's lifecycle (start, stop) stays with the caller.
 *
 * Access: intake, DLQ and status need a Bearer key from `server.apiKeys` (with
 * none configured they answer 503); callbacks carry their own signed token;
 * health, readiness and metrics are open, for probes and scrapers on the
 * network the server listens on.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError, coerceError } from "../core/errors.js";
import { type Logger, silentLogger } from "../logging/create-logger.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import { registerCallbackRoutes } from "./callback-routes.js";
import { registerCrmEventRoutes } from "./crm-event-routes.js";
import { registerDlqRoutes } from "./dlq-routes.js";
import { useErrorHandling } from "./error-handler.js";
import { registerFormRoutes } from "./form-routes.js";
import { registerHubspotRoutes } from "./hubspot-routes.js";
import { registerIntakeRoutes } from "./intake-routes.js";
import { acceptJsonBodies } from "./json-body.js";
import { registerOpsRoutes } from "./ops-routes.js";
import { useRequestLogging } from "./request-logging.js";
import { registerRequeueRoutes } from "./requeue-routes.js";
import { createServerMetrics, type ServerMetrics } from "./server-metrics.js";

export interface ServerOptions {
  pipeline: Pipeline;
  /** `server` gives host, port, apiKeys, maxBatch and bodyLimit; `sources` the names intake accepts. */
  config: ClaypipeConfig;
  /** Request lines go to it at debug, failures at error. @defaultValue silentLogger */
  logger?: Logger;
  /** @defaultValue createServerMetrics(): a registry of its own */
  metrics?: ServerMetrics;
}

export interface ClaypipeServer {
  readonly app: FastifyInstance;
  readonly metrics: ServerMetrics;
  /** Listens on `server.host:server.port`; resolves with the base URL, e.g. "http://127.0.0.1:8787". */
  listen(): Promise<string>;
  /** Stops taking requests and lets those in flight finish. The pipeline is not stopped. */
  close(): Promise<void>;
}

// Callback tokens are longer than Fastify's default 100-character limit on a path parameter.
const MAX_PARAM_LENGTH = 2048;

export function createServer(options: ServerOptions): ClaypipeServer {
  const { pipeline, config, logger = silentLogger } = options;
  const metrics = options.metrics ?? createServerMetrics();
  const app = Fastify({
    // Fastify's own request logging would print URLs, and callback URLs carry tokens.
    logger: false,
    bodyLimit: config.server.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: () => randomUUID(),
  });
  const context = { pipeline, config, logger, metrics };

  useErrorHandling(app, logger);
  useRequestLogging(app, logger, metrics);
  acceptJsonBodies(app);
  registerIntakeRoutes(app, context);
  registerFormRoutes(app, context);
  registerHubspotRoutes(app, context);
  registerCrmEventRoutes(app, context);
  registerCallbackRoutes(app, context);
  registerDlqRoutes(app, context);
  registerRequeueRoutes(app, context);
  registerOpsRoutes(app, context);

  return {
    app,
    metrics,
    async listen() {
      const { host, port } = config.server;
      try {
        await app.listen({ host, port });
      } catch (error) {
        throw new ClaypipeError(
          "config_invalid",
          `The server cannot listen on ${host}:${port}: ${coerceError(error).message}`,
          {
            hint: "Pick a free port in server.port (0 takes any free one), or stop what holds this one.",
            cause: error,
          },
        );
      }
      const url = `http://${urlHost(app.server.address() as AddressInfo)}`;
      logger.info({ url }, "claypipe server listening");
      return url;
    },
    close: () => app.close(),
  };
}

function urlHost({ address, port, family }: AddressInfo): string {
  if (address === "0.0.0.0") return `127.0.0.1:${port}`;
  if (address === "::") return `[::1]:${port}`;
  return family === "IPv6" ? `[${address}]:${port}` : `${address}:${port}`;
}
