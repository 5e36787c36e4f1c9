/** What a seed wrote, for the counters a running pipeline keeps beside the rows. */
import type { SeedLead } from "./dashboard-seed-plan.js";

export interface SeedTotals {
  /** Sink deliveries delivered (the running total status reads). */
  delivered: number;
  /** Leads sent to Clay per "workspace/table". */
  sent: Map<string, number>;
}

/** Adds the batch's sent leads to `sent`; returns its delivered deliveries. */
export function tallyBatch(batch: readonly SeedLead[], sent: Map<string, number>): number {
  let delivered = 0;
  for (const lead of batch) {
    if (lead.attempt > 0) {
      const key = `${lead.workspace}/${lead.table}`;
      sent.set(key, (sent.get(key) ?? 0) + 1);
    }
    for (const d of lead.deliveries) if (d.state === "delivered") delivered++;
  }
  return delivered;
}
