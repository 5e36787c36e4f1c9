/**
 * The wiring every pipeline tier shares: the services (intake, callback
 * receiver, inbox, routing, deferred, deadline, deliveries) around one Store,
 * with the tier's own parts — the store adapter, the rate limiter and breaker
 * of each workspace, and the transport that carries leads to the senders.
 * The services only meet in the store, so a crash at any point leaves each
 * lead in a state the next start picks up.
 */

import { createAlertStep } from "../alerts/alert-step.js";
import type { Breaker } from "../clay/breaker/circuit-breaker.js";
import { createCallbackSigner } from "../clay/callback-token.js";
import { createLocalPublicApiLimiter, createPublicApiClient } from "../clay/public-api-client.js";
import type { RateLimiter } from "../clay/rate-limit/rate-limiter.js";
import { createClaySender } from "../clay/sender.js";
import type { ClaypipeConfig, PublicApiConfig, WorkspaceConfig } from "../config/schema.js";
import { type Clock, systemClock } from "../core/clock.js";
import { coalesceRuns } from "../core/coalesced-runs.js";
import { ClaypipeError } from "../core/errors.js";
import { describeLeadIssues } from "../core/lead.js";
import { runLoop } from "../core/run-loop.js";
import { type Logger, silentLogger } from "../logging/create-logger.js";
import { compileRoutes } from "../routing/index.js";
import { createSink } from "../sinks/create-sink.js";
import type { Sink } from "../sinks/sink.js";
import type { Store } from "../store/store.js";
import type { ConsumerLag, Transport } from "../transport/transport.js";
import { type AcceptedResult, createCallbackReceiver } from "./callback-receiver.js";
import { createCapacityStep } from "./capacity-step.js";
import { checkPublicApis } from "./check-public-apis.js";
import { recoverAfterCrash } from "./crash-recovery.js";
import { createCreditBudget } from "./credit-budget.js";
import { describeCreditHold, readCreditHolds } from "./credit-holds.js";
import { createCreditResumeStep } from "./credit-resume-step.js";
import { createDeadLetters } from "./dead-letters.js";
import { createDeadlineStep } from "./deadline-step.js";
import { createDeferredStep } from "./deferred-step.js";
import { createDeliverySteps } from "./delivery-step.js";
import { createEnrichWaiter } from "./enrich-waiter.js";
import { ADMITS_IN_FLIGHT, createGroupedAdmit } from "./grouped-admit.js";
import { createInboxStep } from "./inbox-step.js";
import { createIntakeService } from "./intake-service.js";
import { createLeadSearch } from "./lead-search.js";
import type { Pipeline, StartOptions } from "./pipeline-api.js";
import { createPipelineEvents, type PipelineContext } from "./pipeline-context.js";
import { readLeadView } from "./read-lead-view.js";
import { readStatus } from "./read-status.js";
import { createRefreshRuns } from "./refresh-runs.js";
import { createRequeue } from "./requeue-leads.js";
import { createRoutingStep } from "./routing-step.js";
import { createSendHandler } from "./send-handler.js";
import { sharedStoreTimings } from "./shared-store-timings.js";
import { createWaitingLeads } from "./waiting-leads.js";
import { BEAT_MS, createWorkerBeats, listLiveWorkers, type WorkerBeats } from "./worker-beats.js";

export type { AcceptedResult } from "./callback-receiver.js";

/** How often the refresh step looks for a schedule whose time has come: cron's own granularity. */
const REFRESH_CHECK_MS = 15_000;
/** Enriched leads one routing pass leases. */
const ROUTING_BATCH = 100;

export interface PipelineOptions {
  logger?: Logger;
  clock?: Clock;
}

/** What a tier brings to the shared wiring. */
export interface TierParts {
  store: Store;
  /** What this process does (a PipelineRole: "all" in the standard tier), as the list of live workers shows it. */
  role: string;
  limiterFor(workspace: WorkspaceConfig): RateLimiter;
  /**
   * The public-API rate of a workspace that has `publicApi` (reconcile and the start check).
   * @defaultValue one in this process at `publicApi.rate`
   */
  publicApiLimiterFor?(workspace: WorkspaceConfig & { publicApi: PublicApiConfig }): RateLimiter;
  breakerFor(workspace: WorkspaceConfig): Breaker;
  /** The transport that runs this pipeline's send handler. */
  createTransport(): Promise<Transport>;
  /**
   * The services this process runs besides the transport: `send` — deferred,
   * capacity, deadline and crash recovery, which decide when a lead goes;
   * `route` — inbox, routing and deliveries, which take its result to the
   * sinks. Neither for a process that only takes leads or callbacks in.
   */
  runs: { send: boolean; route: boolean };
  /**
   * Announces accepted callbacks (the event tier publishes them to its
   * results topic): called after they are in the inbox and before Clay is
   * answered, so a callback Clay sees answered 200 was announced.
   */
  announceResults?(results: AcceptedResult[]): Promise<void>;
  /**
   * Runs until `signal` aborts, calling `processInbox` when results arrive
   * from elsewhere (the event tier's router reads the results topic); only
   * where `runs.route`.
   */
  followResults?(processInbox: () => Promise<void>, signal: AbortSignal): Promise<void>;
  /** Consumer lag of the tier's groups besides the transport's (the event tier's routers), for status and /metrics. */
  busLag?(): Promise<ConsumerLag[]>;
  /** More background work of the tier, each run where its duty runs (the event tier's transition publisher). */
  loops?: Array<{
    duty: "send" | "route";
    name: string;
    step: (signal: AbortSignal) => Promise<number>;
    idleMs?: number;
  }>;
  /** Closes what the tier opened besides the store and the transport. */
  closeParts(): Promise<void>;
}

export async function assemblePipeline(
  config: ClaypipeConfig,
  options: PipelineOptions,
  parts: TierParts,
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const { store, runs } = parts;
  const callbacks = config.callbacks;
  if (!callbacks) {
    throw new ClaypipeError(
      "config_invalid",
      `the ${config.tier} tier needs callbacks.baseUrl and callbacks.secret`,
      {
        hint: "set callbacks.baseUrl to the URL where Clay's HTTP API column reaches this service",
      },
    );
  }
  const signer = createCallbackSigner({ secrets: [callbacks.secret], ttlMs: callbacks.ttl, clock });
  // Built by start(), where deliveries run: a pipeline that only reads or takes
  // leads in (status, dlq, import, the queue tier's API) never needs its sinks'
  // settings, which a worker may set per process (a file path per worker).
  const sinks = new Map<string, Sink>();
  const publicApiLimiters = new Map(
    config.clay.workspaces.flatMap((workspace) => {
      const { publicApi } = workspace;
      if (!publicApi) return [];
      const limiter =
        parts.publicApiLimiterFor?.({ ...workspace, publicApi }) ??
        createLocalPublicApiLimiter(publicApi, clock);
      return [[workspace.name, limiter] as const];
    }),
  );
  const ctx: PipelineContext = {
    config,
    store,
    clock,
    logger,
    signer,
    senders: new Map(
      config.clay.workspaces.map((workspace) => [
        workspace.name,
        createClaySender({
          workspace,
          sender: config.sender,
          callbacks: { baseUrl: callbacks.baseUrl, signer },
          limiter: parts.limiterFor(workspace),
          counters: store.counters,
          clock,
          logger: logger.child({ workspace: workspace.name }),
        }),
      ]),
    ),
    publicApis: new Map(
      config.clay.workspaces.flatMap((workspace) =>
        workspace.publicApi
          ? [
              [
                workspace.name,
                createPublicApiClient(workspace.publicApi, {
                  clock,
                  limiter: publicApiLimiters.get(workspace.name),
                }),
              ] as const,
            ]
          : [],
      ),
    ),
    breakers: new Map(
      config.clay.workspaces.map((workspace) => [workspace.name, parts.breakerFor(workspace)]),
    ),
    router: compileRoutes(
      config.routes,
      config.sinks.map((sink) => sink.name),
    ),
    sinks,
    events: createPipelineEvents(),
  };

  const groupedAdmit = createGroupedAdmit(store.leads, {
    clock,
    dedupeWindowMs: config.dedupe.window,
    // A shared store's commit is round trips to a server: overlap a few. SQLite's is one
    // synchronous call, where one batch at a time makes the batches (and fsyncs) fewest.
    maxFlushes: store.supportsMultipleProcesses ? ADMITS_IN_FLIGHT : 1,
  });
  const intake = createIntakeService(ctx, { admit: groupedAdmit.admit });
  const receiver = createCallbackReceiver(
    ctx,
    parts.announceResults ? { announce: parts.announceResults } : {},
  );
  const timings = sharedStoreTimings(config, store);
  const waiter = createEnrichWaiter(ctx, { storePollMs: timings.storePollMs });
  const transport = await parts.createTransport();
  const sendHandler = createSendHandler(
    ctx,
    createCreditBudget({ config, ledger: store.ledger }),
    transport.deadLetterTopic,
  );
  const refreshRuns = createRefreshRuns(ctx, intake, () => transport.notify());
  const capacityStep = createCapacityStep(ctx);
  const creditResumeStep = createCreditResumeStep(ctx);
  const requeue = createRequeue(ctx);
  const deadlineStep = createDeadlineStep(ctx);
  const inboxStep = createInboxStep(ctx);
  // Each step of a result's way wakes the next, so a lead does not wait out a poll at each:
  // the inbox wakes on a callback, routing on an enriched lead, the sinks on a routed one.
  const routed = new Set<() => void>();
  const routingStep = createRoutingStep(ctx, { batchSize: ROUTING_BATCH });
  const routeLoops = [
    {
      name: "inbox",
      step: inboxStep,
      ...(timings.inboxPollMs === undefined ? {} : { idleMs: timings.inboxPollMs }),
      // Callbacks this process took in, and (a shared store) those other processes did.
      wake: (listener: () => void) => {
        const local = receiver.onAccepted(listener);
        const shared = store.inbox.onAppended?.(listener);
        return () => {
          local();
          shared?.();
        };
      },
    },
    {
      name: "routing",
      fullPass: ROUTING_BATCH,
      step: async (signal: AbortSignal) => {
        const done = await routingStep(signal);
        if (done > 0) for (const wake of routed) wake();
        return done;
      },
      wake: (listener: () => void) => {
        ctx.events.on("enriched", listener);
        return () => ctx.events.off("enriched", listener);
      },
    },
  ];
  const sendLoops = [
    { name: "deferred", step: createDeferredStep(ctx), idleMs: 1000 },
    {
      name: "capacity",
      // One pass per check, whatever it moved: moved leads must be sent before the counters show what is left.
      step: async (signal: AbortSignal) => {
        await capacityStep(signal);
        await creditResumeStep(signal);
        return 0;
      },
      idleMs: config.sender.capacityCheck,
    },
    { name: "deadline", step: deadlineStep, idleMs: 1000 },
    ...(config.refresh.length > 0
      ? [{ name: "refresh", step: refreshRuns.runDue, idleMs: REFRESH_CHECK_MS }]
      : []),
    ...(config.alerts
      ? [
          {
            name: "alerts",
            step: createAlertStep(config.alerts, {
              readStatus: () => readStatus(ctx),
              counters: store.counters,
              clock,
              logger,
            }),
            idleMs: config.alerts.checkEvery,
          },
        ]
      : []),
  ];
  const openSinks = async () => {
    for (const sink of config.sinks)
      sinks.set(sink.name, await createSink(sink, { clock, logger, bus: config.bus }));
    return createDeliverySteps(ctx, { leaseMs: timings.deliveryLeaseMs }).map(
      ({ sink, step, fullPass }) => ({
        name: `deliver:${sink}`,
        step,
        fullPass,
        wake: (listener: () => void) => {
          routed.add(listener);
          return () => routed.delete(listener);
        },
      }),
    );
  };
  let running:
    | { controller: AbortController; done: Promise<unknown>; beats: WorkerBeats }
    | undefined;
  let stopped = false;

  const claimOwnership = async () => {
    if (runs.send || runs.route) await store.claimOwnership?.();
  };

  const submit: Pipeline["submit"] = async (leads, submitOptions) => {
    const result = await intake.submit(Array.isArray(leads) ? leads : [leads], submitOptions);
    if (result.accepted.length > 0) transport.notify();
    return result;
  };

  return {
    submit,
    async enrich(input, enrichOptions = {}) {
      const result = await submit([input], enrichOptions);
      const rejected = result.rejected[0];
      if (rejected) {
        throw new ClaypipeError(
          "input_invalid",
          `the lead is not valid: ${describeLeadIssues(rejected.issues)}`,
          {
            hint: "give it an email, a linkedin_url, or a name with a company or domain",
          },
        );
      }
      return waiter.waitFor(result.accepted[0]!.id, {
        timeoutMs: enrichOptions.timeout ?? 300_000,
        ...(enrichOptions.signal ? { signal: enrichOptions.signal } : {}),
      });
    },
    getLead: (id) => readLeadView(store, id),
    leads: createLeadSearch(ctx),
    receiveCallback: (token, body) => receiver.receive(token, body),
    deadLetters: createDeadLetters(ctx, transport.deadLetterTopic),
    async requeue(filter = {}) {
      const result = await requeue(filter);
      if (result.requeued > 0) transport.notify();
      return result;
    },
    waiting: createWaitingLeads(ctx, deadlineStep),
    refresh: { plan: refreshRuns.plan, runNow: refreshRuns.runNow },
    status: async () => {
      const [status, queues, transportLag, otherLag, refresh] = await Promise.all([
        readStatus(ctx),
        transport.depth(),
        transport.lag(),
        parts.busLag?.() ?? [],
        refreshRuns.status(),
      ]);
      return { ...status, queues, busLag: [...transportLag, ...otherLag], refresh };
    },
    workers: () => listLiveWorkers(store, clock),
    claimOwnership,
    async start(startOptions: StartOptions = {}) {
      if (running || stopped) return;
      // Before any work: a store only one process may run refuses a second one here.
      await claimOwnership();
      // Reconcile runs where the services run: a wrong key or address is said before any lead needs it.
      if (runs.send) await checkPublicApis(config, publicApiLimiters, { clock, logger });
      const loops = [
        ...(runs.send ? sendLoops : []),
        ...(runs.route ? [...routeLoops, ...(await openSinks())] : []),
        ...(parts.loops ?? []).filter((loop) => runs[loop.duty]),
      ];
      const counts = runs.send ? await recoverAfterCrash(ctx) : {};
      logger.info({ ...counts, tier: config.tier }, "pipeline started");
      // A cap that holds leads until tomorrow must not look like a stalled pipeline.
      for (const hold of await readCreditHolds(config, store)) {
        if (hold.held) logger.warn({ creditHold: hold }, describeCreditHold(hold));
        else logger.info({ creditHold: hold }, describeCreditHold(hold));
      }
      const beats = createWorkerBeats(
        { store, clock, logger },
        { role: parts.role, tier: config.tier, opsUrl: startOptions.opsUrl },
      );
      const controller = new AbortController();
      const processInbox = coalesceRuns(async () => {
        await inboxStep(controller.signal);
      });
      const done = Promise.all([
        transport.run(sendHandler, controller.signal),
        ...loops.map((loop) => runLoop({ ...loop, clock, logger }, controller.signal)),
        runLoop(
          { name: "worker beat", step: beats.beat, idleMs: BEAT_MS, clock, logger },
          controller.signal,
        ),
        runs.route && parts.followResults?.(processInbox, controller.signal),
      ]);
      running = { controller, done, beats };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([receiver.close(), groupedAdmit.close()]);
      if (running) {
        running.controller.abort();
        await running.done;
        await running.beats.leave();
      }
      await transport.close();
      await Promise.all([...sinks.values()].map((sink) => sink.close()));
      await parts.closeParts();
      await store.close();
    },
  };
}
