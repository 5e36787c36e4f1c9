/**
 * Waiting for a fault scenario to finish: polls the pipeline's status until
 * every accepted lead is delivered or dead, and when that does not happen in
 * time, fails with where the stuck leads are and why.
 */
import { systemClock } from "../../src/core/clock.js";
import type { LeadState } from "../../src/core/lead-state.js";
import type { Pipeline, PipelineStatus } from "../../src/pipeline/pipeline-api.js";
import type { LogLine } from "../clay/log-capture.js";

export interface SettleOptions {
  /** Ids of the leads the intake accepted. */
  ids: readonly string[];
  timeoutMs: number;
  /** Called with each status read (to watch the breaker, or start a fault mid-run). */
  onStatus?(status: PipelineStatus): void | Promise<void>;
  /**
   * How long the leads must stay settled, with the same delivered and dead
   * counts, before it counts: a callback Clay just delivered may still be in
   * the inbox, about to move a dead lead on. @defaultValue 0
   */
  stableForMs?: number;
  /** Shown in the failure message. */
  warnings?: LogLine[];
  signal?: AbortSignal;
}

const POLL_MS = 100;
const SETTLED: readonly LeadState[] = ["delivered", "dead"];

/** Resolves with the last status once delivered + dead = accepted; throws with the stuck leads after the timeout. */
export async function waitUntilSettled(
  pipeline: Pipeline,
  options: SettleOptions,
): Promise<PipelineStatus> {
  const deadline = Date.now() + options.timeoutMs;
  let settled: { since: number; counts: string } | undefined;
  for (;;) {
    const status = await pipeline.status();
    await options.onStatus?.(status);
    const { delivered, dead } = status.states;
    if (delivered + dead >= options.ids.length) {
      const counts = `${delivered}/${dead}`;
      if (settled?.counts !== counts) settled = { since: Date.now(), counts };
      if (Date.now() - settled.since >= (options.stableForMs ?? 0)) return status;
    } else settled = undefined;
    if (Date.now() > deadline) throw new Error(await describeStuck(pipeline, status, options));
    await systemClock.sleep(POLL_MS, options.signal);
  }
}

async function describeStuck(
  pipeline: Pipeline,
  status: PipelineStatus,
  options: SettleOptions,
): Promise<string> {
  const counts = Object.entries(status.states)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state}: ${count}`)
    .join(", ");
  const stuck: string[] = [];
  for (const id of options.ids) {
    if (stuck.length === 5) break;
    const view = await pipeline.getLead(id);
    if (!view) stuck.push(`  ${id}: not in the store`);
    else if (!SETTLED.includes(view.lead.state)) {
      const history = view.history.map((event) => `${event.to} (${event.reason ?? ""})`);
      stuck.push(`  ${id}: ${history.join(" → ")}`);
    }
  }
  const warnings = (options.warnings ?? []).slice(-5).map((line) => `  log: ${line.msg}`);
  return [
    `after ${options.timeoutMs} ms, ${status.states.delivered + status.states.dead} of ${options.ids.length} leads are delivered or dead (${counts})`,
    "stuck leads:",
    ...stuck,
    "last warnings:",
    ...warnings,
  ].join("\n");
}
