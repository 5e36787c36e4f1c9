/**
 * The operations dashboard under /ui: login, the views, their actions and
 * their assets, on the process that serves the admin API (`claypipe start`,
 * the `api` role in the queue and event tiers). Every answer carries the
 * strict security headers; every view needs a session; assets and the login
 * form do not.
 */
import type { FastifyInstance } from "fastify";
import type { ClaypipeConfig } from "../config/schema.js";
import { requireSet } from "../config/unset-variable.js";
import { type Clock, systemClock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import { acceptFormBodies } from "./form-body.js";
import { setSecurityHeaders } from "./security-headers.js";
import { createStatusSampler } from "./status-sampler.js";
import { uiAsset } from "./ui-assets.js";
import type { UiContext } from "./ui-context.js";
import { createUiGuard } from "./ui-guard.js";
import { createSessionSigner } from "./ui-session.js";
import { registerCapacityView } from "./views/capacity-view.js";
import { registerConfigView } from "./views/config-view.js";
import { registerCreditsView } from "./views/credits-view.js";
import { registerDlqActions } from "./views/dlq-actions.js";
import { registerDlqPurge } from "./views/dlq-purge.js";
import { registerDlqView } from "./views/dlq-view.js";
import { registerDoctorView } from "./views/doctor-view.js";
import { registerLeadPageView } from "./views/lead-page-view.js";
import { registerLeadsView } from "./views/leads-view.js";
import { registerLoginView } from "./views/login-view.js";
import { registerNotFoundView } from "./views/not-found-view.js";
import { registerOverviewStream } from "./views/overview-stream.js";
import { registerOverviewView } from "./views/overview-view.js";
import { registerWaitingActions } from "./views/waiting-actions.js";
import { registerWaitingView } from "./views/waiting-view.js";
import { registerWorkersView } from "./views/workers-view.js";

export interface DashboardOptions {
  pipeline: Pipeline;
  config: ClaypipeConfig;
  logger: Logger;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** How often the live overview reads the status while watched (ms). @defaultValue 2000 */
  liveEveryMs?: number;
}

/** A Fastify plugin: `app.register(dashboard(options))`. */
export function dashboard(options: DashboardOptions) {
  return (app: FastifyInstance) => registerDashboard(app, options);
}

async function registerDashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const { pipeline, config, logger } = options;
  const clock = options.clock ?? systemClock;
  const signer = createSessionSigner({
    admin: config.server.apiKeys.map((key) => requireSet(key, "server.apiKeys")),
    read: config.server.readOnlyKeys.map((key) => requireSet(key, "server.readOnlyKeys")),
  });
  const sampler = createStatusSampler({
    readStatus: () => pipeline.status(),
    clock,
    logger,
    ...(options.liveEveryMs === undefined ? {} : { watchedEveryMs: options.liveEveryMs }),
  });
  const context: UiContext = {
    pipeline,
    config,
    logger,
    clock,
    sampler,
    guard: createUiGuard(signer, clock),
  };
  app.addHook("onClose", async () => sampler.stop());

  await app.register(async (scope) => {
    acceptFormBodies(scope);
    scope.addHook("onRequest", async (_request, reply) => setSecurityHeaders(reply));
    scope.get("/ui/assets/:version/:name", async (request, reply) => {
      const asset = uiAsset((request.params as { name: string }).name);
      if (!asset) return reply.code(404).type("text/plain; charset=utf-8").send("No such asset.");
      return reply
        .type(asset.type)
        .header("cache-control", "public, max-age=86400")
        .send(asset.body);
    });
    registerLoginView(scope, context, signer);
    // Outside the session scope: an address that is no page is 404 to anyone, logged in or not.
    registerNotFoundView(scope, context);

    await scope.register(async (views) => {
      views.addHook("onRequest", context.guard.requireSession);
      views.addHook("onSend", async (_request, reply, payload) => {
        if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
        return payload;
      });
      registerOverviewView(views, context);
      registerOverviewStream(views, context);
      registerCreditsView(views, context);
      registerCapacityView(views, context);
      registerLeadsView(views, context);
      registerLeadPageView(views, context);
      registerConfigView(views, context);
      registerDoctorView(views, context);
      registerWorkersView(views, context);
      registerDlqView(views, context);
      registerDlqActions(views, context);
      registerDlqPurge(views, context);
      registerWaitingView(views, context);
      registerWaitingActions(views, context);
    });
  });
}
