/**
 * The HTTP app that fronts a Pipeline (Fastify): intake, Clay callbacks, the
 * DLQ, and operations (health, readiness, status, metrics). It owns no state of
 * its own; the pipeline's lifecycle (start, stop) stays with the caller. A
 * worker's ops server is the same app with only the probes, on `server.opsPort`.
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
import { type DashboardOptions, dashboard } from "../ui/register-dashboard.js";
import { refuseOtherCharsets } from "./body-charset.js";
import { answerClientError } from "./client-errors.js";
import { answerForError, useErrorHandling } from "./error-handler.js";
import { acceptJsonBodies } from "./json-body.js";
import { sendProblem } from "./problem.js";
import { useRequestLogging } from "./request-logging.js";
import { registerCallbackRoutes } from "./routes/callback-routes.js";
import { registerCrmEventRoutes } from "./routes/crm-event-routes.js";
import { registerDlqRoutes } from "./routes/dlq-routes.js";
import { registerFormRoutes } from "./routes/form-routes.js";
import { registerHubspotRoutes } from "./routes/hubspot-routes.js";
import { registerIntakeRoutes } from "./routes/intake-routes.js";
import { registerOpsRoutes } from "./routes/ops-routes.js";
import { registerRequeueRoutes } from "./routes/requeue-routes.js";
import { registerStatusRoutes } from "./routes/status-routes.js";
import { createServerMetrics, type ServerMetrics } from "./server-metrics.js";

export interface ServerOptions {
  pipeline: Pipeline;
  /** `server` gives host, port, apiKeys, maxBatch, bodyLimit and requestTimeout; `sources` the names intake accepts. */
  config: ClaypipeConfig;
  /** Request lines go to it at debug, failures at error. @defaultValue silentLogger */
  logger?: Logger;
  /** @defaultValue createServerMetrics(): a registry of its own */
  metrics?: ServerMetrics;
  /**
   * The routes a process of one role serves: the intake API (leads, forms,
   * HubSpot, CRM events), Clay's callbacks, and the admin API (status, DLQ,
   * requeue; `admin` defaults to true). The probes (health, readiness,
   * metrics) are always served. @defaultValue all of them
   */
  serves?: { intake: boolean; callbacks: boolean; admin?: boolean };
  /** The dashboard's clock and live interval (tests). */
  dashboard?: Pick<DashboardOptions, "clock" | "liveEveryMs">;
  /** The key of `config.server` that holds the port to listen on. @defaultValue "port" */
  portKey?: "port" | "opsPort";
}

export interface ClaypipeServer {
  readonly app: FastifyInstance;
  readonly metrics: ServerMetrics;
  /** Listens on `server.host` and the port of `portKey`; resolves with the base URL, e.g. "http://127.0.0.1:8787". */
  listen(): Promise<string>;
  /** Stops taking requests and lets those in flight finish. The pipeline is not stopped. */
  close(): Promise<void>;
}

const CHECK_INTERVAL_MS = 1000;

/** How often a closing server looks for connections that went idle. */
const IDLE_SWEEP_MS = 50;
// Callback tokens are longer than Fastify's default 100-character limit on a path parameter.
const MAX_PARAM_LENGTH = 2048;

export function createServer(options: ServerOptions): ClaypipeServer {
  const { pipeline, config, logger = silentLogger() } = options;
  const metrics = options.metrics ?? createServerMetrics();
  const { requestTimeout } = config.server;
  const app = Fastify({
    // Fastify's own request logging would print URLs, and callback URLs carry tokens.
    logger: false,
    bodyLimit: config.server.bodyLimit,
    // Headers and body together: a body trickled in chunks is cut off like slow headers are.
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      // Node checks for late requests this often (30 s by default, which would double a short timeout).
      connectionsCheckingInterval: CHECK_INTERVAL_MS,
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, requestTimeout),
    // A URL Fastify cannot route (a part too long, a broken %-escape) answers in the same shape.
    frameworkErrors: (error, request, reply) => {
      const answer = answerForError(error, {
        bodyLimit: config.server.bodyLimit,
        requestId: request.id,
      });
      sendProblem(reply, answer.status, answer.problem);
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: () => randomUUID(),
  });
  const context = { pipeline, config, logger, metrics };

  useErrorHandling(app, logger);
  useRequestLogging(app, logger, metrics);
  acceptJsonBodies(app);
  refuseOtherCharsets(app);
  const serves = options.serves ?? { intake: true, callbacks: true };
  const portKey = options.portKey ?? "port";
  if (serves.intake) {
    registerIntakeRoutes(app, context);
    registerFormRoutes(app, context);
    registerHubspotRoutes(app, context);
    registerCrmEventRoutes(app, context);
  }
  if (serves.callbacks) registerCallbackRoutes(app, context);
  if (serves.admin ?? true) {
    registerDlqRoutes(app, context);
    registerRequeueRoutes(app, context);
    registerStatusRoutes(app, context);
    app.register(dashboard({ pipeline, config, logger, ...options.dashboard }));
  }
  registerOpsRoutes(app, context);

  return {
    app,
    metrics,
    async listen() {
      const { host } = config.server;
      const port = config.server[portKey];
      if (port === undefined) {
        throw new ClaypipeError("config_invalid", `server.${portKey} is not set`, {
          hint: `set server.${portKey} to the port this process listens on`,
        });
      }
      try {
        await app.listen({ host, port });
      } catch (error) {
        throw listenError(error, host, port, portKey);
      }
      const url = `http://${urlHost(app.server.address() as AddressInfo)}`;
      logger.info({ url }, "claypipe server listening");
      return url;
    },
    async close() {
      const closing = app.close();
      // A request in flight when closing began keeps its connection open afterwards, for
      // Fastify's keep-alive timeout (72 s): close each such connection once it goes idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await closing;
      } finally {
        clearInterval(sweep);
      }
    },
  };
}

function listenError(error: unknown, host: string, port: number, key: string): ClaypipeError {
  if ((error as { code?: unknown }).code === "EADDRINUSE") {
    return new ClaypipeError(
      "config_invalid",
      `port ${port} on ${host} is in use (another claypipe start?)`,
      {
        hint: `stop what holds it, or set server.${key} to a free port; nothing was started`,
        cause: error,
      },
    );
  }
  return new ClaypipeError(
    "config_invalid",
    `The server cannot listen on ${host}:${port}: ${coerceError(error).message}`,
    {
      hint: `Pick a free port in server.${key} (0 takes any free one), or stop what holds this one.`,
      cause: error,
    },
  );
}

function urlHost({ address, port, family }: AddressInfo): string {
  if (address === "0.0.0.0") return `127.0.0.1:${port}`;
  if (address === "::") return `[::1]:${port}`;
  return family === "IPv6" ? `[${address}]:${port}` : `${address}:${port}`;
}
