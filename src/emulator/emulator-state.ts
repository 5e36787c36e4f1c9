/**
 * Everything the emulator holds in memory: workspaces, tables, webhooks, rows and the
 * counters the snapshot reports. Lookups are maps so intake stays O(1) per record.
 */
import { systemClock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import { TokenBucket } from "../core/token-bucket.js";
import type { PendingWork } from "./pending-work.js";
import { RateLimitedQueue } from "./rate-limited-queue.js";
import type { ResolvedTable, ResolvedWebhook, ResolvedWorkspace } from "./spec-schema.js";
import type { EmulatorRow, EmulatorSnapshot } from "./types.js";

export interface WorkspaceState {
  spec: ResolvedWorkspace;
  webhookBucket: TokenBucket;
  publicApiBucket: TokenBucket;
  credits: { actionsUsed: number; dataUsed: number; exhausted: boolean };
  requests: { accepted: number; rateLimited: number; rejected: number; faulted: number };
  publicApiCalls: { answered: number; rateLimited: number };
  tables: TableState[];
}

export interface TableState {
  spec: ResolvedTable;
  workspace: WorkspaceState;
  rows: EmulatorRow[];
  /** Values of the dedupe column already present. */
  dedupeIndex: Set<string>;
  counters: {
    droppedAtRowLimit: number;
    deduplicated: number;
    enriched: number;
    notFound: number;
    stalled: number;
    /** Enrichments that found the person in a new job. */
    jobChanges: number;
  };
  /** Per enrichment identity: how often it was enriched and the job it holds now. */
  people: Map<string, PersonHistory>;
  webhooks: WebhookState[];
  /** The HTTP API column's rate limit, when the table has the column. */
  callbackQueue: RateLimitedQueue | undefined;
}

/** What the emulator remembers of one enrichment identity in one table (see job-changes.ts). */
export interface PersonHistory {
  /** Enrichments of the identity in the table so far. */
  enrichments: number;
  /** The job the person holds since their last move; undefined while they hold the first one. */
  job: Record<string, unknown> | undefined;
  /** Set through the control API: the next enrichment moves the person, whatever the draw. */
  moveOnNextEnrichment: boolean;
}

export interface WebhookState {
  spec: ResolvedWebhook;
  table: TableState;
  /** Records received over the webhook's life; row deletion does not lower it. */
  submissions: number;
}

export type CallbackCounters = EmulatorSnapshot["callbacks"];

export class EmulatorState {
  readonly workspaces = new Map<string, WorkspaceState>();
  readonly tables = new Map<string, TableState>();
  readonly webhooks = new Map<string, WebhookState>();
  readonly workspacesByApiKey = new Map<string, WorkspaceState>();
  callbacks: CallbackCounters = emptyCallbackCounters();
  private rowNumber = 0;

  constructor(private readonly work: PendingWork) {}

  /** Adds a workspace; nothing changes when one of its ids is already taken. */
  add(spec: ResolvedWorkspace): WorkspaceState {
    this.checkIdsAreFree(spec);
    const now = systemClock.now();
    const workspace: WorkspaceState = {
      spec,
      webhookBucket: new TokenBucket(
        { ratePerSecond: spec.rateLimit.perSecond, burst: spec.rateLimit.burst },
        now,
      ),
      publicApiBucket: new TokenBucket(
        {
          ratePerSecond: spec.publicApiRateLimit.perMinute / 60,
          burst: spec.publicApiRateLimit.burst,
        },
        now,
      ),
      credits: { actionsUsed: 0, dataUsed: 0, exhausted: false },
      requests: { accepted: 0, rateLimited: 0, rejected: 0, faulted: 0 },
      publicApiCalls: { answered: 0, rateLimited: 0 },
      tables: [],
    };
    for (const tableSpec of spec.tables) {
      const column = tableSpec.httpApiColumn;
      const table: TableState = {
        spec: tableSpec,
        workspace,
        rows: [],
        dedupeIndex: new Set(),
        counters: {
          droppedAtRowLimit: 0,
          deduplicated: 0,
          enriched: 0,
          notFound: 0,
          stalled: 0,
          jobChanges: 0,
        },
        people: new Map(),
        webhooks: [],
        callbackQueue: column
          ? new RateLimitedQueue(
              {
                ratePerSecond: (column.rateLimit.requests * 1000) / column.rateLimit.perMs,
                burst: column.rateLimit.requests,
              },
              this.work,
            )
          : undefined,
      };
      for (const webhookSpec of tableSpec.webhooks) {
        const webhook: WebhookState = { spec: webhookSpec, table, submissions: 0 };
        table.webhooks.push(webhook);
        this.webhooks.set(webhookSpec.uuid, webhook);
      }
      workspace.tables.push(table);
      this.tables.set(tableSpec.id, table);
    }
    this.workspaces.set(spec.id, workspace);
    this.workspacesByApiKey.set(spec.apiKey, workspace);
    return workspace;
  }

  table(tableId: string): TableState {
    const table = this.tables.get(tableId);
    if (!table) {
      throw new ClaypipeError("input_invalid", `The emulator has no table "${tableId}".`, {
        hint: `Known tables: ${[...this.tables.keys()].join(", ") || "none"}.`,
      });
    }
    return table;
  }

  nextRowId(): string {
    this.rowNumber++;
    return `r_${String(this.rowNumber).padStart(8, "0")}`;
  }

  /** Drops rows and counters by rebuilding every workspace from its spec (uuids stay). */
  reset(): void {
    const specs = [...this.workspaces.values()].map((workspace) => workspace.spec);
    this.workspaces.clear();
    this.tables.clear();
    this.webhooks.clear();
    this.workspacesByApiKey.clear();
    this.callbacks = emptyCallbackCounters();
    for (const spec of specs) this.add(spec);
  }

  snapshot(): EmulatorSnapshot {
    return {
      workspaces: [...this.workspaces.values()].map((workspace) => ({
        id: workspace.spec.id,
        credits: {
          actionsUsed: workspace.credits.actionsUsed,
          dataUsed: workspace.credits.dataUsed,
          actionsLimit: workspace.spec.credits.actions ?? null,
          dataLimit: workspace.spec.credits.data ?? null,
          exhausted: workspace.credits.exhausted,
        },
        requests: { ...workspace.requests },
        publicApi: { ...workspace.publicApiCalls },
        tables: workspace.tables.map((table) => {
          const { droppedAtRowLimit, deduplicated, enriched, notFound, stalled, jobChanges } =
            table.counters;
          return {
            id: table.spec.id,
            rowCount: table.rows.length,
            rowLimit: table.spec.rowLimit,
            droppedAtRowLimit,
            deduplicated,
            enriched,
            notFound,
            stalled,
            pending: table.rows.length - enriched - notFound - stalled,
            jobChanges,
            webhooks: table.webhooks.map((webhook) => ({
              uuid: webhook.spec.uuid,
              submissions: webhook.submissions,
              submissionLimit: webhook.spec.submissionLimit,
            })),
          };
        }),
      })),
      callbacks: { ...this.callbacks },
    };
  }

  private checkIdsAreFree(spec: ResolvedWorkspace): void {
    const taken: string[] = [];
    if (this.workspaces.has(spec.id)) taken.push(`workspace id "${spec.id}"`);
    if (this.workspacesByApiKey.has(spec.apiKey)) taken.push("its apiKey");
    const tableIds = new Set<string>();
    const uuids = new Set<string>();
    for (const table of spec.tables) {
      if (this.tables.has(table.id) || tableIds.has(table.id)) taken.push(`table id "${table.id}"`);
      tableIds.add(table.id);
      for (const webhook of table.webhooks) {
        if (this.webhooks.has(webhook.uuid) || uuids.has(webhook.uuid)) {
          taken.push(`webhook uuid "${webhook.uuid}"`);
        }
        uuids.add(webhook.uuid);
      }
    }
    if (taken.length > 0) {
      throw new ClaypipeError(
        "input_invalid",
        `Workspace "${spec.id}" cannot be added: ${taken.join(", ")} already in use.`,
        { hint: "Table ids, webhook uuids and api keys must be unique across the emulator." },
      );
    }
  }
}

function emptyCallbackCounters(): CallbackCounters {
  return { attempted: 0, delivered: 0, failed: 0, lost: 0, duplicated: 0, retried: 0 };
}
