/**
 * Moves waiting leads on purpose (`claypipe leads requeue`, POST
 * /v1/leads/requeue): deferred (or retrying) leads go back to the outbox now,
 * and so do skipped ones (a person sends them anyway, past the pre-send rules),
 * to the table their source sends to today, or to a table a person names.
 * A credit cap is checked again at send: requeueing never spends past a cap,
 * and the answer says when a cap that holds them is still reached.
 */
import { resolveTable } from "../config/resolve-table.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { echoInput } from "../core/echo-input.js";
import { ClaypipeError } from "../core/errors.js";
import { readCreditHolds } from "./credit-holds.js";
import { currentDestination, type Destination } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CREDIT_CAP_REASON_PREFIX, type WaitKind, waitReasonPrefix } from "./wait-reasons.js";

/** States a person may requeue from: leads waiting for their time to come, or skipped by a pre-send rule. */
export const REQUEUE_STATES = ["deferred", "retrying", "skipped"] as const;
export type RequeueState = (typeof REQUEUE_STATES)[number];

export interface RequeueFilter {
  /** @defaultValue "deferred" */
  state?: RequeueState;
  /** Only deferred leads waiting for this: a credit cap, or capacity. */
  reason?: WaitKind;
  /** Only leads of this intake source. */
  source?: string;
  /** Only leads headed for the table of this name. */
  fromTable?: string;
  /** Where they go: "name" or "workspace/name". @defaultValue where each lead's source sends today */
  table?: string;
}

export interface RequeueResult {
  requeued: number;
  /** When requeued leads were held by a cap that is still reached: when it opens again (ISO 8601, UTC). */
  capReachedUntil?: string;
}

const PAGE = 500;

export function createRequeue(
  ctx: Pick<PipelineContext, "config" | "store" | "clock" | "logger">,
): (filter: RequeueFilter) => Promise<RequeueResult> {
  const { config, store } = ctx;
  return async (filter) => {
    const state = filter.state ?? "deferred";
    let target: Destination | undefined;
    if (filter.table !== undefined) {
      const { workspace, table } = resolveTable(config, filter.table);
      target = { workspace: workspace.name, table: table.name };
    }
    // Read every match before moving any, so the pages do not shift under the cursor.
    const leads = [];
    let cursor: string | undefined;
    do {
      const page = await store.leads.list({
        states: [state],
        ...(filter.reason === undefined ? {} : { reasonPrefix: waitReasonPrefix(filter.reason) }),
        ...(filter.source === undefined ? {} : { source: filter.source }),
        ...(filter.fromTable === undefined ? {} : { table: filter.fromTable }),
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      leads.push(...page.leads);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    if (leads.length === 0) requireKnownNames(config, filter);

    // Read before they move: once queued they no longer count as held.
    const holds = leads.some((lead) => lead.reason?.startsWith(CREDIT_CAP_REASON_PREFIX))
      ? await readCreditHolds(config, store)
      : [];
    const held = holds.filter((hold) => hold.held).map((hold) => hold.resumesAt);
    let requeued = 0;
    for (const lead of leads) {
      const destination = target ?? currentDestination(config, lead);
      const now = ctx.clock.now();
      const moved = await store.leads.transition(
        lead.id,
        state,
        "queued",
        {
          availableAt: now,
          // A skipped lead may carry the routes it was routed on as skipped; its result routes afresh.
          routes: [],
          ...destination,
          reason: `requeued by a person, to table "${destination.workspace}/${destination.table}"`,
        },
        now,
      );
      if (moved) requeued += 1;
    }
    ctx.logger.info({ state, ...filter, requeued }, "waiting leads requeued");
    return requeued > 0 && held.length > 0
      ? { requeued, capReachedUntil: held.sort()[0]! }
      : { requeued };
  };
}

/**
 * A source or table that is neither in the config nor on any waiting lead is
 * a typo: say so rather than "requeued 0". Names the config no longer has are
 * fine while leads still carry them (leads headed for a table that was taken out).
 */
function requireKnownNames(config: ClaypipeConfig, filter: RequeueFilter): void {
  const sources = config.sources.map((source) => source.name);
  if (filter.source !== undefined && !sources.includes(filter.source)) {
    throw new ClaypipeError(
      "input_invalid",
      `no source "${echoInput(filter.source)}" in the config`,
      {
        hint: `use one of: ${sources.join(", ")}`,
      },
    );
  }
  const tables = config.clay.workspaces.flatMap((workspace) =>
    workspace.tables.map((table) => table.name),
  );
  if (filter.fromTable !== undefined && !tables.includes(filter.fromTable)) {
    throw new ClaypipeError(
      "input_invalid",
      `no table "${echoInput(filter.fromTable)}" in the config`,
      {
        hint: `use one of: ${[...new Set(tables)].join(", ")}`,
      },
    );
  }
}
