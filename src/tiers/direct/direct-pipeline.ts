/**
 * The direct tier: one process, no store. Leads go straight to Clay through a
 * rate-limited sender; results stay in Clay or are read back through its public
 * API. A small state directory keeps the webhook and table counters
 * (capacity.json), the leads sent within the dedupe window (sent-leads.log), so
 * a repeat is never paid for twice, and what was sent (send-history.json).
 * The pre-send rules (`enrichIf`) turn leads away before they are sent, as in
 * the other tiers; with no store, a skipped lead is only counted and reported.
 */
import { join } from "node:path";
import { CircuitBreaker } from "../../clay/breaker/circuit-breaker.js";
import { createCallbackSigner } from "../../clay/callback-token.js";
import { checkPublicApi } from "../../clay/check-public-api.js";
import {
  createLocalPublicApiLimiter,
  createPublicApiClient,
  type PublicApiRow,
} from "../../clay/public-api-client.js";
import { LocalRateLimiter } from "../../clay/rate-limit/local-rate-limiter.js";
import { type ClaySender, createClaySender } from "../../clay/sender.js";
import type { PoolCapacity } from "../../clay/webhook-pool.js";
import { resolveTable } from "../../config/resolve-table.js";
import type { ClaypipeConfig, WorkspaceConfig } from "../../config/schema.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ClaypipeError } from "../../core/errors.js";
import { newLeadId } from "../../core/ids.js";
import type { Lead } from "../../core/lead.js";
import type { LeadRecord } from "../../intake/files/lead-record.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import { dedupeKey } from "../../pipeline/dedupe-key.js";
import { compileEnrichIf } from "../../routing/compile-enrich-if.js";
import { FileCapacityCounters } from "../../store/file/file-capacity-counters.js";
import { readSendHistory, recordSendRun, type SendHistory } from "./send-history.js";
import { type SendEvent, type SendSummary, type SendTally, sendLeads } from "./send-leads.js";
import { SentLeadsFile } from "./sent-leads-file.js";
import { waitForRow } from "./wait-for-row.js";

export interface DirectPipelineOptions {
  logger?: Logger;
  clock?: Clock;
}

export type EnrichOneResult =
  | {
      claypipeId: string;
      /** The enriched row, when waited for. */
      row?: PublicApiRow;
    }
  /**
   * Not sent: a lead with the same dedupe key was sent at `sentAt`, within the
   * window. With `wait`, `row` is the row Clay already has (looked up by email).
   */
  | { repeat: { sentAt: number }; row?: PublicApiRow };

export interface DirectStatus {
  tier: "direct";
  capacity: Array<{ workspace: string; table: string; pool: PoolCapacity }>;
  /** Leads sent within the dedupe window: a repeat of one of them is skipped. */
  dedupe: { windowMs: number; remembered: number };
  history: SendHistory;
}

export interface DirectPipeline {
  sendLeads(
    records: AsyncIterable<LeadRecord>,
    options?: {
      table?: string;
      fromLine?: number;
      signal?: AbortSignal;
      /** Skip leads sent before within the dedupe window. @defaultValue true */
      dedupe?: boolean;
      onEvent?(event: SendEvent, tally: Readonly<SendTally>): void;
    },
  ): Promise<SendSummary>;
  enrichOne(
    lead: Lead,
    options?: {
      table?: string;
      wait?: boolean;
      timeoutMs?: number;
      signal?: AbortSignal;
      /** @defaultValue true */
      dedupe?: boolean;
    },
  ): Promise<EnrichOneResult>;
  /** Capacity left, what was sent, and the dedupe memory, read from the state directory. */
  status(): Promise<DirectStatus>;
  /**
   * The pre-send rule (enrichIf) that turns the lead away, if any; `sendLeads`
   * applies them itself, to its leads as the first source's.
   * @param source the intake source's name @defaultValue the first configured source
   */
  skippedBy(lead: Lead, source?: string): string | undefined;
}

export function createDirectPipeline(
  config: ClaypipeConfig,
  options: DirectPipelineOptions = {},
): DirectPipeline {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? systemClock;
  const counters = new FileCapacityCounters(join(config.stateDir, "capacity.json"));
  const sentLeadsPath = join(config.stateDir, "sent-leads.log");
  const historyPath = join(config.stateDir, "send-history.json");
  const window = { windowMs: config.dedupe.window };
  const preSend = compileEnrichIf(
    config.enrichIf,
    config.sources.map((source) => source.name),
  );
  const skippedBy = (lead: Lead, source = config.sources[0]?.name ?? "") =>
    preSend.skippedBy(lead, source);
  const signer = config.callbacks
    ? createCallbackSigner({
        secrets: [config.callbacks.secret],
        ttlMs: config.callbacks.ttl,
        clock,
      })
    : undefined;
  const senders = new Map<string, ClaySender>();

  const senderFor = (workspace: WorkspaceConfig): ClaySender => {
    let sender = senders.get(workspace.name);
    if (!sender) {
      sender = createClaySender({
        workspace,
        sender: config.sender,
        callbacks:
          config.callbacks && signer ? { baseUrl: config.callbacks.baseUrl, signer } : undefined,
        limiter: new LocalRateLimiter({
          rateLimit: workspace.rateLimit,
          burstHeadroom: config.sender.burstHeadroom,
          clock,
        }),
        counters,
        clock,
        logger: logger.child({ workspace: workspace.name }),
        // Judged per try: an unreachable Clay stops the run within a few tries. Its
        // "sends wait" log does not fit a run that stops, so the summary says it instead.
        tryGate: new CircuitBreaker({ config: config.breaker, clock, workspace: workspace.name }),
      });
      senders.set(workspace.name, sender);
    }
    return sender;
  };

  const keyOf = (lead: Lead) => dedupeKey(lead, config.dedupe.key);
  /** The public API client `enrich --wait` polls with, once its key, address and table id are checked. */
  const readerFor = async (
    workspace: WorkspaceConfig,
    table: { name: string; id?: string | undefined },
    signal: AbortSignal | undefined,
  ) => {
    if (!workspace.publicApi || !table.id) {
      throw new ClaypipeError(
        "config_invalid",
        "--wait reads the result through Clay's public API, which is not configured",
        {
          hint: `set clay.workspaces[].publicApi.apiKey and the table's id for "${table.name}"`,
        },
      );
    }
    const limiter = createLocalPublicApiLimiter(workspace.publicApi, clock);
    const problem = await checkPublicApi(workspace.publicApi, {
      workspace: workspace.name,
      tableIds: [table.id],
      limiter,
      clock,
      ...(signal ? { signal } : {}),
    });
    if (problem) {
      logger.warn(
        { workspace: workspace.name },
        `could not check Clay's public API before sending: ${problem.message}; polling tries again`,
      );
    }
    return {
      client: createPublicApiClient(workspace.publicApi, { clock, limiter }),
      tableId: table.id,
    };
  };

  return {
    sendLeads: async (records, sendOptions = {}) => {
      const { workspace, table } = resolveTable(config, sendOptions.table);
      const sender = senderFor(workspace);
      const startedAt = clock.now();
      const sentLeads = await SentLeadsFile.open(sentLeadsPath, { ...window, now: startedAt });
      const checking = sendOptions.dedupe !== false;
      let summary: SendSummary;
      try {
        summary = await sendLeads(records, {
          send: (lead, claypipeId, signal) =>
            sender.send({ lead, claypipeId, table: table.name }, signal),
          concurrency: config.sender.concurrency,
          skippedBy,
          dedupe: {
            keyOf,
            seen: (key) => checking && sentLeads.sentAt(key, clock.now()) !== undefined,
            remember: (key) => sentLeads.record(key, clock.now()),
          },
          fromLine: sendOptions.fromLine,
          signal: sendOptions.signal,
          onEvent: sendOptions.onEvent,
        });
      } finally {
        await sentLeads.close();
      }
      await recordSendRun(historyPath, {
        command: "send",
        table: `${workspace.name}/${table.name}`,
        startedAt,
        finishedAt: clock.now(),
        read: summary.read,
        sent: summary.sent,
        repeats: summary.repeats,
        skipped: summary.skipped,
        notSent: summary.notSent,
        ...(summary.stopped ? { stopped: summary.stopped } : {}),
      });
      return summary;
    },

    enrichOne: async (lead, enrichOptions = {}) => {
      const { workspace, table } = resolveTable(config, enrichOptions.table);
      const startedAt = clock.now();
      const key = keyOf(lead);
      // A result that cannot be read back is found out before the lead is sent and paid for.
      const reader = enrichOptions.wait
        ? await readerFor(workspace, table, enrichOptions.signal)
        : undefined;
      const waitFor = async (
        found: NonNullable<typeof reader>,
        id: string | undefined,
      ): Promise<PublicApiRow> =>
        waitForRow({
          client: found.client,
          tableId: found.tableId,
          ...(id !== undefined ? { claypipeId: id } : {}),
          email: typeof lead.email === "string" ? lead.email : undefined,
          timeoutMs: enrichOptions.timeoutMs ?? 120_000,
          clock,
          signal: enrichOptions.signal,
        });

      const recordEnrich = async (
        started: number,
        counts: { sent: number; repeats: number; notSent: number },
      ): Promise<void> => {
        await recordSendRun(historyPath, {
          command: "enrich",
          table: `${workspace.name}/${table.name}`,
          startedAt: started,
          finishedAt: clock.now(),
          read: 1,
          ...counts,
        });
      };

      const sentLeads = await SentLeadsFile.open(sentLeadsPath, { ...window, now: startedAt });
      let claypipeId: string;
      try {
        const sentAt = key === undefined ? undefined : sentLeads.sentAt(key, startedAt);
        if (sentAt !== undefined && enrichOptions.dedupe !== false) {
          await recordEnrich(startedAt, { sent: 0, repeats: 1, notSent: 0 });
          if (!reader || typeof lead.email !== "string") return { repeat: { sentAt } };
          return { repeat: { sentAt }, row: await waitFor(reader, undefined) };
        }
        claypipeId = newLeadId();
        const outcome = await senderFor(workspace).send(
          { lead, claypipeId, table: table.name },
          enrichOptions.signal,
        );
        if (outcome.status !== "sent") {
          await recordEnrich(startedAt, { sent: 0, repeats: 0, notSent: 1 });
          throw new ClaypipeError(
            outcome.status === "no_capacity"
              ? "capacity_exhausted"
              : outcome.status === "failed"
                ? "clay_unavailable"
                : "clay_rejected",
            outcome.reason,
            {
              hint: "see the reason above; nothing was enriched",
            },
          );
        }
        if (key !== undefined) await sentLeads.record(key, clock.now());
      } finally {
        await sentLeads.close();
      }
      await recordEnrich(startedAt, { sent: 1, repeats: 0, notSent: 0 });
      if (!reader) return { claypipeId };
      return { claypipeId, row: await waitFor(reader, claypipeId) };
    },

    skippedBy,

    status: async () => {
      const capacity = await Promise.all(
        config.clay.workspaces.flatMap((workspace) =>
          workspace.tables.map(async (table) => ({
            workspace: workspace.name,
            table: table.name,
            pool: await senderFor(workspace).capacity(table.name),
          })),
        ),
      );
      return {
        tier: "direct",
        capacity,
        dedupe: {
          windowMs: config.dedupe.window,
          remembered: await SentLeadsFile.count(sentLeadsPath, { ...window, now: clock.now() }),
        },
        history: await readSendHistory(historyPath),
      };
    },
  };
}
