/**
 * The direct tier: one process, no store. Leads go straight to Clay through a
 * rate-limited sender; results stay in Clay or are read back through its public
 * API. Webhook and table counters persist in a small state file.
 */
import { join } from "node:path";
import { createCallbackSigner } from "../../clay/callback-token.js";
import { checkPublicApi } from "../../clay/check-public-api.js";
import { FileCapacityCounters } from "../../clay/file-capacity-counters.js";
import { LocalRateLimiter } from "../../clay/local-rate-limiter.js";
import {
  createLocalPublicApiLimiter,
  createPublicApiClient,
  type PublicApiRow,
} from "../../clay/public-api-client.js";
import { type ClaySender, createClaySender } from "../../clay/sender.js";
import { resolveTable } from "../../config/resolve-table.js";
import type { ClaypipeConfig, WorkspaceConfig } from "../../config/schema.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ClaypipeError } from "../../core/errors.js";
import { newLeadId } from "../../core/ids.js";
import type { Lead } from "../../core/lead.js";
import type { LeadRecord } from "../../intake/lead-record.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import { type SendEvent, type SendSummary, sendLeads } from "./send-leads.js";
import { waitForRow } from "./wait-for-row.js";

export interface DirectPipelineOptions {
  logger?: Logger;
  clock?: Clock;
}

export interface EnrichOneResult {
  claypipeId: string;
  /** The enriched row, when waited for. */
  row?: PublicApiRow;
}

export interface DirectPipeline {
  sendLeads(
    records: AsyncIterable<LeadRecord>,
    options?: {
      table?: string;
      fromLine?: number;
      signal?: AbortSignal;
      onEvent?(event: SendEvent): void;
    },
  ): Promise<SendSummary>;
  enrichOne(
    lead: Lead,
    options?: { table?: string; wait?: boolean; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<EnrichOneResult>;
}

export function createDirectPipeline(
  config: ClaypipeConfig,
  options: DirectPipelineOptions = {},
): DirectPipeline {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const counters = new FileCapacityCounters(join(config.stateDir, "capacity.json"));
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
      });
      senders.set(workspace.name, sender);
    }
    return sender;
  };

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
    sendLeads: (records, sendOptions = {}) => {
      const { workspace, table } = resolveTable(config, sendOptions.table);
      const sender = senderFor(workspace);
      return sendLeads(records, {
        send: (lead, claypipeId, signal) =>
          sender.send({ lead, claypipeId, table: table.name }, signal),
        concurrency: config.sender.concurrency,
        fromLine: sendOptions.fromLine,
        signal: sendOptions.signal,
        onEvent: sendOptions.onEvent,
      });
    },

    enrichOne: async (lead, enrichOptions = {}) => {
      const { workspace, table } = resolveTable(config, enrichOptions.table);
      // A result that cannot be read back is found out before the lead is sent and paid for.
      const reader = enrichOptions.wait
        ? await readerFor(workspace, table, enrichOptions.signal)
        : undefined;
      const claypipeId = newLeadId();
      const outcome = await senderFor(workspace).send(
        { lead, claypipeId, table: table.name },
        enrichOptions.signal,
      );
      if (outcome.status !== "sent") {
        throw new ClaypipeError(
          outcome.status === "no_capacity" ? "capacity_exhausted" : "clay_rejected",
          outcome.reason,
          {
            hint: "see the reason above; nothing was enriched",
          },
        );
      }
      if (!reader) return { claypipeId };
      const row = await waitForRow({
        client: reader.client,
        tableId: reader.tableId,
        claypipeId,
        email: typeof lead.email === "string" ? lead.email : undefined,
        timeoutMs: enrichOptions.timeoutMs ?? 120_000,
        clock,
        signal: enrichOptions.signal,
      });
      return { claypipeId, row };
    },
  };
}
