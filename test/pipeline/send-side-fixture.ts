/**
 * The send side of the standard tier, assembled for tests from real parts: a
 * SQLite store in a temp file, the Clay emulator, a sender, breaker and public
 * API client per workspace, and the intake service and credit budget.
 *
 * The services run on `clock` (a ManualClock lets a test cross a day or a
 * deadline); the sender and its rate limiter wait in real time, as the
 * emulator does.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CircuitBreaker } from "../../src/clay/breaker/circuit-breaker.js";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { createPublicApiClient, type PublicApiClient } from "../../src/clay/public-api-client.js";
import { LocalRateLimiter } from "../../src/clay/rate-limit/local-rate-limiter.js";
import { type ClaySender, createClaySender } from "../../src/clay/sender.js";
import { type ClaypipeConfig, configSchema } from "../../src/config/schema.js";
import { type Clock, systemClock } from "../../src/core/clock.js";
import {
  type EmulatorTableSpec,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { type CreditBudget, createCreditBudget } from "../../src/pipeline/credit-budget.js";
import { createIntakeService, type IntakeService } from "../../src/pipeline/intake-service.js";
import { createPipelineEvents, type PipelineContext } from "../../src/pipeline/pipeline-context.js";
import { createSendHandler } from "../../src/pipeline/send-handler.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import type { Store } from "../../src/store/store.js";
import { createSendStep } from "../../src/transport/embedded/send-step.js";
import type { SendHandler } from "../../src/transport/transport.js";
import { captureLogs, type LogLine } from "../clay/log-capture.js";

export const SECRET = "s".repeat(32);
export const TABLE_ID = "t_leads";
const RATE = { perSecond: 500, burst: 200 };
/** Far above Clay's public API rate, so reconcile tests wait for nothing but what they test. */
const PUBLIC_API_RATE = { perMinute: 6_000, burst: 100 };

/** The context the send-side services take: everything but the return side's router and sinks. */
export type SendSideContext = Omit<PipelineContext, "router" | "sinks">;

export interface SendSideOptions {
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Overrides of the emulator's table (autoRun is off unless set). */
  table?: Partial<EmulatorTableSpec>;
  /** Overrides of the config's workspace (credits, costEstimate; publicApi: false leaves it out). */
  workspace?: Record<string, unknown> & { publicApi?: false | Record<string, unknown> };
  /** Overrides of the config's table (rowLimit, capacityMargin). */
  configTable?: Record<string, unknown>;
  /** The config's webhooks, built from the emulator's webhook URL (instead of one with `webhook`). */
  webhooks?: (url: string) => Array<Record<string, unknown>>;
  /** Overrides of the config's webhook (authToken, submissionLimit). */
  webhook?: Record<string, unknown>;
  /** Top-level config overrides (sources, dedupe, breaker, recovery, callbacks, sender). */
  config?: Record<string, unknown>;
  /** An existing SQLite file, to reopen a store as a restart does. */
  storePath?: string;
  /** Another store than SQLite (the queue tier's PostgreSQL); the fixture closes it. */
  openStore?: (clock: Clock) => Promise<Store>;
  emulator?: RunningEmulator;
}

export interface SendSide {
  emulator: RunningEmulator;
  config: ClaypipeConfig;
  store: Store;
  storePath: string;
  clock: Clock;
  ctx: SendSideContext;
  breaker: CircuitBreaker;
  budget: CreditBudget;
  /** The pipeline's send handler over this side's context and budget. */
  handler: SendHandler;
  intake: IntakeService;
  logs: LogLine[];
  close(): Promise<void>;
}

const opened: SendSide[] = [];

/** Closes every fixture opened since the last call (for afterEach). */
/** The embedded transport's send step over a side (the standard tier's outbox loop). */
export function sendStepOf(
  side: SendSide,
  batch?: number,
): (signal: AbortSignal) => Promise<number> {
  return createSendStep(side.handler, {
    leads: side.store.leads,
    clock: side.clock,
    concurrency: side.config.sender.concurrency,
    ...(batch === undefined ? {} : { batch }),
  });
}

export async function closeSendSides(): Promise<void> {
  await Promise.all(opened.splice(0).map((side) => side.close()));
}

export async function startSendSide(options: SendSideOptions = {}): Promise<SendSide> {
  const clock = options.clock ?? systemClock;
  const ownsEmulator = options.emulator === undefined;
  const emulator =
    options.emulator ??
    (await startEmulator({
      timeScale: 1000,
      workspaces: [
        {
          id: "ws",
          rateLimit: RATE,
          publicApiRateLimit: PUBLIC_API_RATE,
          tables: [
            {
              id: TABLE_ID,
              autoRun: false,
              enrichment: { minDelayMs: 1000, maxDelayMs: 2000, notFoundRate: 0 },
              webhooks: [{}],
              ...options.table,
            },
          ],
        },
      ],
    }));
  const { publicApi, ...workspaceOverrides } = options.workspace ?? {};
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: RATE,
          costEstimate: { actions: 1, data: 10 },
          ...(publicApi === false
            ? {}
            : {
                publicApi: {
                  baseUrl: emulator.publicApiBaseUrl,
                  apiKey: "ws-api-key",
                  rate: PUBLIC_API_RATE,
                  ...publicApi,
                },
              }),
          tables: [
            {
              name: "leads",
              id: TABLE_ID,
              capacityMargin: 0,
              webhooks: options.webhooks
                ? options.webhooks(emulator.webhookUrl(TABLE_ID))
                : [{ url: emulator.webhookUrl(TABLE_ID), ...options.webhook }],
              ...options.configTable,
            },
          ],
          ...workspaceOverrides,
        },
      ],
    },
    // Nothing listens here: tests that need callbacks read the rows in the emulator.
    callbacks: { baseUrl: "http://127.0.0.1:9/hooks", secret: SECRET, deadline: "5m" },
    sender: { initialBackoff: 10, maxBackoff: 50, maxAttempts: 1, requestTimeout: 5000 },
    ...options.config,
  });
  const storeDir = options.storePath ? undefined : mkdtempSync(join(tmpdir(), "claypipe-send-"));
  const storePath = options.storePath ?? join(storeDir!, "claypipe.db");
  const store = options.openStore
    ? await options.openStore(clock)
    : await createSqliteStore({ path: storePath, clock });
  const { logger, lines } = captureLogs();
  const signer = createCallbackSigner({ secrets: [SECRET], ttlMs: config.callbacks!.ttl });

  const senders = new Map<string, ClaySender>();
  const breakers = new Map<string, CircuitBreaker>();
  const publicApis = new Map<string, PublicApiClient>();
  for (const workspace of config.clay.workspaces) {
    senders.set(
      workspace.name,
      createClaySender({
        workspace,
        sender: config.sender,
        callbacks: { baseUrl: config.callbacks!.baseUrl, signer },
        limiter: new LocalRateLimiter({ rateLimit: workspace.rateLimit }),
        counters: store.counters,
        logger,
      }),
    );
    breakers.set(
      workspace.name,
      new CircuitBreaker({ config: config.breaker, clock, workspace: workspace.name, logger }),
    );
    if (workspace.publicApi) {
      publicApis.set(
        workspace.name,
        createPublicApiClient(workspace.publicApi, {
          initialBackoffMs: 10,
          maxBackoffMs: 50,
          maxAttempts: 2,
        }),
      );
    }
  }
  const ctx: SendSideContext = {
    config,
    store,
    clock,
    logger,
    signer,
    senders,
    publicApis,
    breakers,
    events: createPipelineEvents(),
  };
  const budget = createCreditBudget({ config, ledger: store.ledger });
  const side: SendSide = {
    emulator,
    config,
    store,
    storePath,
    clock,
    ctx,
    breaker: breakers.get("main")!,
    budget,
    handler: createSendHandler(ctx, budget),
    intake: createIntakeService(ctx),
    logs: lines,
    async close() {
      await store.close();
      if (ownsEmulator) await emulator.close();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
  opened.push(side);
  return side;
}

/** Distinct valid leads: person(3) → { email: "person3@example.com", … }. */
export function person(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { email: `person${n}@example.com`, first_name: `P${n}`, company: "Acme", ...extra };
}
