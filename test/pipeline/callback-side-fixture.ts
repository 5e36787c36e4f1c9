/**
 * A pipeline context on the real SQLite store (a fresh file per test), a manual
 * clock, the real router and signer, and the sinks a test gives. Helpers put
 * leads where a test needs them the way the send side would: admitted, claimed,
 * credits reserved, awaiting their callback.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CircuitBreaker } from "../../src/clay/breaker/circuit-breaker.js";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { LocalRateLimiter } from "../../src/clay/rate-limit/local-rate-limiter.js";
import { type ClaySender, createClaySender } from "../../src/clay/sender.js";
import {
  type ClaypipeConfig,
  type ClaypipeConfigInput,
  configSchema,
} from "../../src/config/schema.js";
import { newLeadId } from "../../src/core/ids.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import { capsFor } from "../../src/pipeline/credit-windows.js";
import { createInboxStep } from "../../src/pipeline/inbox-step.js";
import { createPipelineEvents, type PipelineContext } from "../../src/pipeline/pipeline-context.js";
import { compileRoutes } from "../../src/routing/index.js";
import type { Sink, SinkRecord, SinkResult } from "../../src/sinks/sink.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import type { Credits, Store, StoredLead } from "../../src/store/store.js";
import { ManualClock } from "../clay/manual-clock.js";

export const SECRET = "test-secret-test-secret-test-secret-0123";

export interface Fixture {
  ctx: PipelineContext;
  store: Store;
  clock: ManualClock;
  dir: string;
  /** Admits a lead and moves it to awaiting_callback at `attempt`, with credits reserved. */
  awaiting(
    fields?: Record<string, string | number>,
    options?: AwaitingOptions,
  ): Promise<StoredLead>;
  /** Admits a lead of the same person as `email` (a duplicate when one is in flight). */
  admit(fields: Record<string, string | number>, source?: string): Promise<StoredLead>;
  /** A lead whose callback came back with `result` (on top of clayBody), through the inbox step. */
  enriched(
    result?: Record<string, unknown>,
    fields?: Record<string, string | number>,
  ): Promise<StoredLead>;
  /** A callback token for the lead's attempt. */
  token(leadId: string, attempt?: number): string;
  close(): Promise<void>;
}

export interface AwaitingOptions {
  attempt?: number;
  source?: string;
  /** What the send side reserved. @defaultValue the workspace's cost estimate */
  reserve?: Credits;
}

/**
 * @param overrides config on top of one workspace "main" with one table "leads"; a function gets the test's folder
 * @param makeSinks the sinks, or a function building them from the parsed config
 */
export async function createFixture(
  overrides: Partial<ClaypipeConfigInput> | ((dir: string) => Partial<ClaypipeConfigInput>) = {},
  makeSinks: Sink[] | ((config: ClaypipeConfig) => Sink[]) = [],
): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "claypipe-pipeline-"));
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          costEstimate: { actions: 4, data: 10 },
          tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/hook" }] }],
        },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1:8787", secret: SECRET, ttl: "1h" },
    ...(typeof overrides === "function" ? overrides(dir) : overrides),
  });
  const sinks = typeof makeSinks === "function" ? makeSinks(config) : makeSinks;
  const store = await createSqliteStore({ path: join(dir, "claypipe.db"), clock });
  const signer = createCallbackSigner({ secrets: [SECRET], ttlMs: config.callbacks!.ttl, clock });
  const senders = new Map<string, ClaySender>(
    config.clay.workspaces.map((workspace) => [
      workspace.name,
      createClaySender({
        workspace,
        sender: config.sender,
        limiter: new LocalRateLimiter({ rateLimit: workspace.rateLimit, clock }),
        counters: store.counters,
        clock,
      }),
    ]),
  );
  const ctx: PipelineContext = {
    config,
    store,
    clock,
    logger: silentLogger(),
    signer,
    senders,
    publicApis: new Map(),
    breakers: new Map(
      config.clay.workspaces.map((workspace) => [
        workspace.name,
        new CircuitBreaker({ config: config.breaker, clock, workspace: workspace.name }),
      ]),
    ),
    router: compileRoutes(
      config.routes,
      sinks.map((sink) => sink.name),
    ),
    sinks: new Map(sinks.map((sink) => [sink.name, sink])),
    events: createPipelineEvents(),
  };

  async function admit(
    fields: Record<string, string | number>,
    source = "api",
  ): Promise<StoredLead> {
    const id = newLeadId(clock.now());
    const email = String(fields.email ?? `${id}@example.com`);
    await store.leads.admit(
      [
        {
          id,
          source,
          workspace: "main",
          table: "leads",
          identityKey: `email:${email}`,
          fields: { email, ...fields },
          priority: 0,
        },
      ],
      { dedupeSince: 0, now: clock.now() },
    );
    return (await store.leads.get(id))!;
  }

  async function awaiting(
    fields: Record<string, string | number> = {},
    options: AwaitingOptions = {},
  ): Promise<StoredLead> {
    const lead = await admit(fields, options.source);
    const now = clock.now();
    if (!(await store.leads.transition(lead.id, "queued", "sending", {}, now))) {
      throw new Error(`lead ${lead.id} was not queued (state ${lead.state})`);
    }
    await store.ledger.reserve(
      lead.id,
      options.reserve ?? { actions: 4, data: 10 },
      capsFor(config, lead, now),
      now,
    );
    await store.leads.transition(lead.id, "sending", "awaiting_callback", {
      attempt: options.attempt ?? 1,
      callbackDeadline: now + 60_000,
    });
    return (await store.leads.get(lead.id))!;
  }

  return {
    ctx,
    store,
    clock,
    dir,
    admit,
    awaiting,
    async enriched(result = {}, fields = {}) {
      const lead = await awaiting(fields);
      await store.inbox.append([
        { leadId: lead.id, attempt: 1, body: clayBody(lead, result), receivedAt: clock.now() },
      ]);
      await createInboxStep(ctx)(new AbortController().signal);
      return (await store.leads.get(lead.id))!;
    },
    token: (leadId, attempt = 1) => signer.sign({ leadId, attempt }),
    async close() {
      for (const sink of sinks) await sink.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A sink that records what it was given and answers as `answer` says (ok by default). */
export class RecordingSink implements Sink {
  readonly received: SinkRecord[] = [];
  answer: (record: SinkRecord) => SinkResult = () => ({ ok: true });

  constructor(
    readonly name: string,
    readonly maxBatch = 50,
  ) {}

  async deliver(records: SinkRecord[]): Promise<SinkResult[]> {
    this.received.push(...records);
    return records.map((record) => this.answer(record));
  }

  async close(): Promise<void> {}
}

/** An enriched row the way Clay's HTTP API column posts it back. */
export function clayBody(
  lead: StoredLead,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...lead.fields,
    claypipe_id: lead.id,
    callback_url: `http://127.0.0.1:8787/v1/callbacks/clay/secret-token-${lead.id}`,
    title: "VP Engineering",
    icp_score: 85,
    ...extra,
  };
}
