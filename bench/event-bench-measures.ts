/**
 * What bench:event measures on one tier, from outside it: each lead's intake
 * time is taken here (Date.now() just before its POST) and its sink time is
 * the PostgreSQL sink's row timestamp (the server's now() at the upsert, the
 * same machine's clock), so nothing inside claypipe is trusted to time itself.
 * Where the time went comes from the leads' histories in the store.
 */
import type { LeadState } from "../src/core/lead-state.js";
import type { BenchTier } from "./event-bench-tier.js";
import { benchLeads, inBatches } from "./queue-bench-services.js";

const SETTLE_TIMEOUT_MS = 120_000;
const BACKLOG_BATCH = 500;

export interface PacedLoad {
  /** Leads per second, one lead per POST, each POST at its own time. */
  rate: number;
  seconds: number;
  tag: string;
  /** Leads already in the tier's outbox: settled means this many more. */
  before: number;
  /** The emulator's enrichment delay, taken out of each latency. */
  enrichmentDelayMs: number;
}

/** The states whose first entry, after the POST, says where a lead's time went. */
const MILESTONES: readonly LeadState[] = ["sending", "awaiting_callback", "enriched", "delivered"];

export interface PacedResult {
  /** Intake→sink milliseconds of each lead, less the emulator's delay. */
  latencies: number[];
  /** Median milliseconds from the POST to each milestone's first entry (the emulator's delay included). */
  milestones: Array<{ state: LeadState; medianMs: number }>;
}

/** A steady load through the tier: each lead timed from just before its POST to its sink row. */
export async function pacedLatencies(tier: BenchTier, load: PacedLoad): Promise<PacedResult> {
  const leads = benchLeads(Math.round(load.rate * load.seconds), load.tag);
  const posted: Array<{ email: string; id: string; at: number }> = [];
  const start = performance.now();
  await Promise.all(
    leads.map(async (lead, index) => {
      await sleep(start + (index * 1000) / load.rate - performance.now());
      const at = Date.now();
      const [id] = await tier.post([lead]);
      posted.push({ email: lead.email!, id: id!, at });
    }),
  );
  await tier.waitForSettled(load.before + leads.length, SETTLE_TIMEOUT_MS);
  const arrivals = await tier.services.sinkArrivals();
  const latencies = posted.map(({ email, at }) => {
    const arrived = arrivals.get(email);
    if (arrived === undefined) throw new Error(`${email} settled but is not in the sink`);
    return arrived - at - load.enrichmentDelayMs;
  });
  const reached = new Map<LeadState, number[]>(MILESTONES.map((state) => [state, []]));
  for (const { id, at } of posted) {
    const first = new Map<LeadState, number>();
    // The first entry only: a lead sent twice counts from its first send.
    for (const event of await tier.store.leads.history(id)) {
      if (!first.has(event.to)) first.set(event.to, event.at);
    }
    for (const [state, times] of reached) {
      const entered = first.get(state);
      if (entered !== undefined) times.push(entered - at);
    }
  }
  return {
    latencies,
    milestones: MILESTONES.map((state) => ({
      state,
      medianMs: percentile(reached.get(state)!, 50),
    })),
  };
}

/**
 * Leads per second through the whole path for a backlog posted at once (batches
 * of 500, one at a time): from the first POST to the last lead's sink row.
 */
export async function backlogRate(
  tier: BenchTier,
  backlog: { count: number; tag: string; before: number },
): Promise<number> {
  const leads = benchLeads(backlog.count, backlog.tag);
  const start = Date.now();
  await inBatches(leads, BACKLOG_BATCH, 1, (batch) => tier.post(batch));
  await tier.waitForSettled(backlog.before + leads.length, SETTLE_TIMEOUT_MS);
  const arrivals = await tier.services.sinkArrivals();
  const last = Math.max(...leads.map((lead) => arrivals.get(lead.email!) ?? Number.NaN));
  if (Number.isNaN(last))
    throw new Error(`a lead of ${backlog.tag} settled but is not in the sink`);
  return (backlog.count * 1000) / (last - start);
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
