/**
 * Processes the callback inbox: each verified callback the receiver wrote
 * becomes the lead's enriched result, the lead's credit reservation is settled,
 * and every duplicate waiting on the lead gets the same result without spending
 * a credit. Safe to run again after a crash at any point: a lead that already
 * has a result is never enriched twice, settling is idempotent, and only
 * duplicates still waiting are served. Each pass claims its entries for a
 * while, so processes sharing the store do not process the same callbacks
 * side by side.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { LeadState } from "../core/lead-state.js";
import type { LeadMove } from "../store/lead-store.js";
import type {
  Credits,
  EnrichedRow,
  InboxEntry,
  PreviousVersion,
  StoredLead,
} from "../store/store.js";
import type { PipelineContext } from "./pipeline-context.js";
import { withChanges } from "./result-changes.js";

export interface InboxStepOptions {
  /** Inbox entries taken per pass. @defaultValue 100 */
  batchSize?: number;
}

/**
 * States a lead may hold when its paid-for result arrives. A late callback
 * (after a retry, a deferral or even the DLQ) still delivers what was paid for.
 */
const AWAITING_RESULT: readonly LeadState[] = [
  "awaiting_callback",
  "retrying",
  "sending",
  "dead",
  "deferred",
  "queued",
];

/**
 * How long a pass holds the entries it claimed. A pass of a batch takes well
 * under a second, so a live process keeps its entries to the end; one that
 * dies holding them leaves them to the others after this long (the same time
 * as a sink delivery lease when the queue sets none).
 */
const CLAIM_LEASE_MS = 30_000;

export function createInboxStep(
  ctx: PipelineContext,
  options: InboxStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const { store, logger } = ctx;

  /** What one pass knows: the entries' leads (kept up to date as it enriches them) and their earlier versions. */
  interface Pass {
    leads: Map<string, StoredLead>;
    previous: Map<string, PreviousVersion>;
    /** Leads with a result whose reservation is settled: their waiting duplicates are served at the end. */
    served: Map<string, EnrichedRow>;
  }

  /** An entry's lead, moving to enriched with this result. */
  interface PlannedMove {
    entry: InboxEntry;
    lead: StoredLead;
    result: EnrichedRow;
    /** Later entries of the same lead in this pass. */
    repeats: number[];
    move: LeadMove;
  }

  /** Reads the entries' leads, and the earlier versions of those still awaiting a result: two reads. */
  async function readPass(entries: InboxEntry[]): Promise<Pass> {
    const ids = [...new Set(entries.map((entry) => entry.leadId))];
    const { leads } = await store.leads.list({ ids, limit: ids.length });
    const awaiting = leads.filter(
      (lead) => lead.result === null && AWAITING_RESULT.includes(lead.state),
    );
    return {
      leads: new Map(leads.map((lead) => [lead.id, lead])),
      previous: await store.versions.previousOf(awaiting),
      served: new Map(),
    };
  }

  /**
   * What an entry asks for: done already (a repeat, a lead gone or never sent:
   * at most a settlement), a move to enriched, or to follow the move this pass
   * already plans for its lead (a second callback: done once that move is).
   */
  async function decide(
    entry: InboxEntry,
    pass: Pass,
    moving: Map<string, PlannedMove>,
  ): Promise<"done" | "later" | PlannedMove> {
    const lead = pass.leads.get(entry.leadId);
    if (!lead) {
      // Purged from the DLQ since: nothing left to enrich.
      logger.warn(
        { leadId: entry.leadId, inboxId: entry.id },
        "callback for a lead that no longer exists",
      );
      return "done";
    }
    if (lead.result !== null) {
      // Repeated callback, or a re-run after a crash: finish what may be unfinished.
      await settle(lead, lead.result, pass);
      return "done";
    }
    if (!AWAITING_RESULT.includes(lead.state)) {
      logger.warn(
        { leadId: lead.id, state: lead.state, attempt: entry.attempt },
        "callback for a lead that was never sent; ignored",
      );
      return "done";
    }
    const planned = moving.get(lead.id);
    if (planned) {
      // Another callback of a lead this pass moves: done with it when the move is (the first wins).
      planned.repeats.push(entry.id);
      return "later";
    }
    const now = ctx.clock.now();
    const previous = pass.previous.get(lead.id);
    const row = withoutCallbackUrl(entry.body);
    const result = previous ? withChanges(row, previous.result, ctx.config.changes.ignore) : row;
    return {
      entry,
      lead,
      result,
      repeats: [],
      move: {
        id: lead.id,
        from: AWAITING_RESULT,
        to: "enriched",
        patch: {
          result,
          reason: "callback received",
          availableAt: now,
          callbackDeadline: null,
          routes: [],
        },
      },
    };
  }

  /**
   * Moves the planned leads to enriched in one statement, then settles each;
   * the entries whose lead someone moved meanwhile (the sender finishing its
   * bookkeeping) are left for the next pass, which reads them again.
   */
  async function enrich(planned: PlannedMove[], pass: Pass): Promise<number[]> {
    if (planned.length === 0) return [];
    const moved = await store.leads.transitionMany(
      planned.map((plan) => plan.move),
      ctx.clock.now(),
    );
    const enriched = planned.filter(({ lead }) => moved.has(lead.id));
    // All announced in one turn, before the settlements' round trips: routing, woken by the
    // first, finds the whole pass in one look instead of a look per lead.
    for (const { entry, lead, result } of enriched) {
      pass.leads.set(lead.id, { ...lead, state: "enriched", result });
      ctx.events.emit("enriched", lead.id, result);
      logger.debug({ leadId: lead.id, attempt: entry.attempt }, "lead enriched");
    }
    const done: number[] = [];
    for (const { entry, lead, result, repeats } of enriched) {
      await settle(lead, result, pass);
      done.push(entry.id, ...repeats);
    }
    return done;
  }

  async function settle(lead: StoredLead, result: EnrichedRow, pass: Pass) {
    if (pass.served.has(lead.id)) return;
    await store.ledger.settle(lead.id, costEstimate(ctx.config, lead.workspace), ctx.clock.now());
    pass.served.set(lead.id, result);
  }

  /** Serves every duplicate waiting on the pass's results: one read for the pass. */
  async function serveDuplicates(served: Map<string, EnrichedRow>) {
    if (served.size === 0) return;
    for (const duplicate of await store.leads.duplicatesOf([...served.keys()])) {
      const originalId = duplicate.duplicateOf!;
      await serveDuplicate(duplicate, originalId, served.get(originalId)!);
    }
  }

  async function serveDuplicate(duplicate: StoredLead, originalId: string, result: EnrichedRow) {
    const now = ctx.clock.now();
    // Saved credits are kept per lead, so recording before the move cannot count twice.
    await store.ledger.recordSaved(
      duplicate.id,
      costEstimate(ctx.config, duplicate.workspace),
      now,
    );
    const moved = await store.leads.transition(
      duplicate.id,
      "duplicate",
      "enriched",
      { result, reason: `served from ${originalId}'s result`, availableAt: now, routes: [] },
      now,
    );
    if (moved) ctx.events.emit("enriched", duplicate.id, result);
  }

  return async function inboxStep(signal: AbortSignal): Promise<number> {
    const entries = await store.inbox.claim(batchSize, CLAIM_LEASE_MS, ctx.clock.now());
    if (entries.length === 0) return 0;
    const pass = await readPass(entries);
    const processed: number[] = [];
    const moving = new Map<string, PlannedMove>();
    for (const entry of entries) {
      if (signal.aborted) break;
      const decision = await decide(entry, pass, moving);
      if (decision === "done") processed.push(entry.id);
      else if (decision !== "later") moving.set(decision.lead.id, decision);
    }
    if (!signal.aborted) processed.push(...(await enrich([...moving.values()], pass)));
    // Before the entries are marked: a crash in between serves them on the next pass.
    await serveDuplicates(pass.served);
    if (processed.length > 0) await store.inbox.markProcessed(processed);
    // Left for the next pass (a moved lead, or stopping): any process may take them at once.
    const done = new Set(processed);
    const left = entries.filter((entry) => !done.has(entry.id)).map((entry) => entry.id);
    if (left.length > 0) await store.inbox.release(left);
    return processed.length;
  };
}

/** The enriched row without the callback URL: it is a credential and means nothing downstream. */
function withoutCallbackUrl(body: Record<string, unknown>): EnrichedRow {
  const { callback_url: _callbackUrl, ...row } = body;
  return row;
}

function costEstimate(config: ClaypipeConfig, workspace: string): Credits {
  const found = config.clay.workspaces.find((candidate) => candidate.name === workspace);
  // A workspace renamed in the config since the lead was sent: nothing known to settle against.
  return found ? { ...found.costEstimate } : { actions: 0, data: 0 };
}
