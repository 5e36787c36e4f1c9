/**
 * Reconciling an overdue lead: ask Clay's public API for the lead's row. What
 * can go wrong is sorted the way a person acts on it:
 * - the config is wrong (key refused, no such table or path): said once, as an
 *   error with what to fix; Clay is not asked again for that workspace (key) or
 *   table until a restart, and its overdue leads go on without reconciling;
 * - Clay's credits are spent (402): said once; no row will finish, so the lead
 *   goes on as if nothing was found (resend, or `no_callback`);
 * - Clay is busy or away (429, 5xx, no answer): said once per outage; the
 *   workspace's lookups pause (1 minute, or the callback deadline when shorter,
 *   doubling up to 30 times that or 30 minutes), and each overdue lead waits
 *   for the next look, up to `tries` looks before it goes on without.
 * The state is this process's own; each worker of the queue tier learns it by itself.
 */
import type { PublicApiRow } from "../clay/public-api-client.js";
import { PublicApiError } from "../clay/public-api-errors.js";
import { ClaypipeError, coerceError } from "../core/errors.js";
import type { StoredLead } from "../store/lead-store.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Row statuses that mean Clay is done with the row (its callback would have come). */
const FINISHED = new Set(["enriched", "not_found"]);
/** Leads whose looks are counted at once; more only happen in a long outage with many leads overdue. */
const MAX_TRACKED_LEADS = 100_000;

export type ReconcileOutcome =
  /** Clay has the lead's finished row. */
  | { kind: "found"; row: PublicApiRow }
  /** Not configured for the lead's table, or Clay has no finished row (`why`, when Clay said so). */
  | { kind: "nothing"; why?: string }
  /** Reconciling cannot work: the config is wrong, or Clay stayed away for every look. */
  | { kind: "failed"; detail: string }
  /** Clay is busy or away: look again at `until`. */
  | { kind: "later"; until: number; detail: string };

export interface ReconcilerOptions {
  /**
   * The first pause after Clay did not answer; each failure in a row doubles it.
   * @defaultValue 60000, or `callbacks.deadline` when shorter
   */
  retryFirstMs?: number;
  /** @defaultValue 1800000, or 30 × retryFirstMs when less */
  retryMaxMs?: number;
  /** Looks a lead waits for while Clay does not answer, before it goes on without. @defaultValue 6 */
  tries?: number;
}

export type Reconciler = (lead: StoredLead, signal: AbortSignal) => Promise<ReconcileOutcome>;

export function createReconciler(
  ctx: Pick<PipelineContext, "config" | "clock" | "logger" | "publicApis">,
  options: ReconcilerOptions = {},
): Reconciler {
  const { config, clock, logger } = ctx;
  // A short callback deadline (tests, demos) wants quick looks again; a real one a minute or more.
  const deadlineMs = config.callbacks?.deadline ?? 30 * 60_000;
  const retryFirstMs = options.retryFirstMs ?? Math.min(60_000, deadlineMs);
  const retryMaxMs = options.retryMaxMs ?? Math.min(30 * 60_000, 30 * retryFirstMs);
  const tries = options.tries ?? 6;
  /** What broke, by workspace (a refused key) or workspace/table (anything else the config got wrong). */
  const broken = new Map<string, string>();
  const paused = new Map<string, { until: number; failures: number; detail: string }>();
  const looks = new Map<string, number>();
  /** Workspaces whose exhausted credits (402) have been reported since their last answer. */
  const creditsOut = new Set<string>();

  const brokenFor = (lead: StoredLead) =>
    broken.get(lead.workspace) ?? broken.get(`${lead.workspace}/${lead.table}`);

  const markBroken = (lead: StoredLead, error: PublicApiError): string => {
    const keyRefused = error.status === 401 || error.status === 403;
    // Every refusal's message carries Clay's HTTP status, e.g. "… no table "t_x" at this address (404)".
    const detail = `reconcile failed: ${error.message}`;
    broken.set(keyRefused ? lead.workspace : `${lead.workspace}/${lead.table}`, detail);
    logger.error(
      {
        workspace: lead.workspace,
        ...(keyRefused ? {} : { table: lead.table }),
        status: error.status,
      },
      `cannot reconcile overdue leads of ${keyRefused ? `workspace "${lead.workspace}"` : `table "${lead.table}" (workspace "${lead.workspace}")`}: ${error.message}. Fix: ${error.hint}; then restart and replay them (claypipe dlq replay --reason reconcile_failed). Until then their overdue leads are sent once more or dead-lettered as reconcile_failed, without asking Clay`,
    );
    return detail;
  };

  const pause = (lead: StoredLead, error: ClaypipeError): ReconcileOutcome => {
    const now = clock.now();
    const failures = (paused.get(lead.workspace)?.failures ?? 0) + 1;
    const until = now + Math.min(retryMaxMs, retryFirstMs * 2 ** (failures - 1));
    const detail = `reconcile postponed: ${error.message}`;
    if (failures === 1) {
      logger.warn(
        {
          workspace: lead.workspace,
          status: error instanceof PublicApiError ? error.status : undefined,
        },
        `Clay's public API did not answer for reconcile (${error.message}); overdue leads of workspace "${lead.workspace}" wait and are looked up again later (${error.hint ?? "try again later"})`,
      );
    }
    paused.set(lead.workspace, { until, failures, detail });
    return waitOrGiveUp(lead, until, detail);
  };

  const waitOrGiveUp = (lead: StoredLead, until: number, detail: string): ReconcileOutcome => {
    const looked = (looks.get(lead.id) ?? 0) + 1;
    if (looked >= tries) {
      looks.delete(lead.id);
      return {
        kind: "failed",
        detail: `reconcile failed: Clay's public API did not answer on ${tries} looks (last: ${detail})`,
      };
    }
    // Bounded: a lead forgotten here (its callback came meanwhile) only restarts its count.
    if (looks.size >= MAX_TRACKED_LEADS) looks.delete(looks.keys().next().value as string);
    looks.set(lead.id, looked);
    return { kind: "later", until, detail };
  };

  return async (lead, signal) => {
    const api = ctx.publicApis.get(lead.workspace);
    const tableId = reconcileTableId(ctx, lead);
    if (!api || tableId === undefined) return { kind: "nothing" };
    const brokenDetail = brokenFor(lead);
    if (brokenDetail) return { kind: "failed", detail: brokenDetail };
    const pausedNow = paused.get(lead.workspace);
    if (pausedNow && clock.now() < pausedNow.until) {
      return waitOrGiveUp(lead, pausedNow.until, pausedNow.detail);
    }
    let rows: PublicApiRow[];
    try {
      rows = (await api.queryRows(tableId, { filter: { claypipe_id: lead.id }, limit: 1 }, signal))
        .rows;
    } catch (thrown) {
      signal.throwIfAborted();
      if (thrown instanceof PublicApiError && thrown.status === 402) {
        // Clay stops enriching when credits run out: no row will finish, so there is nothing to wait for.
        looks.delete(lead.id);
        if (!creditsOut.has(lead.workspace)) {
          creditsOut.add(lead.workspace);
          logger.error(
            { workspace: lead.workspace, status: 402 },
            `reconcile: ${thrown.message} (workspace "${lead.workspace}"); its overdue leads get no row from Clay. Fix: ${thrown.hint}`,
          );
        }
        return { kind: "nothing", why: thrown.message };
      }
      if (thrown instanceof PublicApiError && !thrown.passing) {
        looks.delete(lead.id);
        return { kind: "failed", detail: markBroken(lead, thrown) };
      }
      if (thrown instanceof ClaypipeError) return pause(lead, thrown);
      throw coerceError(thrown);
    }
    paused.delete(lead.workspace);
    creditsOut.delete(lead.workspace);
    looks.delete(lead.id);
    const row = rows[0];
    return row && FINISHED.has(row.status) ? { kind: "found", row } : { kind: "nothing" };
  };
}

/** The Clay table id a lead is reconciled by: unset when its workspace has no public API or its table no id. */
export function reconcileTableId(
  ctx: Pick<PipelineContext, "config" | "publicApis">,
  lead: Pick<StoredLead, "workspace" | "table">,
): string | undefined {
  if (!ctx.publicApis.has(lead.workspace)) return undefined;
  return ctx.config.clay.workspaces
    .find((workspace) => workspace.name === lead.workspace)
    ?.tables.find((table) => table.name === lead.table)?.id;
}
