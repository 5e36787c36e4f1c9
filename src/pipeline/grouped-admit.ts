/**
 * Intake's durable write, grouped: concurrent submits share one admit
 * transaction, so a burst of requests costs one fsync instead of one each,
 * and every caller still hears back only after its own leads are committed.
 * On a store that waits on a server (PostgreSQL) a few transactions run at
 * once, each on its own pooled connection: the admission's person locks keep
 * two of them admitting the same person in order.
 */
import type { Clock } from "../core/clock.js";
import { createGroupCommitter } from "../store/group-commit.js";
import type { Admission, LeadStore, NewLead } from "../store/store.js";

export type AdmitLeads = (leads: NewLead[]) => Promise<Admission[]>;

/** Admit transactions a shared store runs at once: a few of its pool's connections (10 by default). */
export const ADMITS_IN_FLIGHT = 4;

interface PendingAdmit {
  leads: NewLead[];
  admissions?: Admission[];
}

export function createGroupedAdmit(
  leads: Pick<LeadStore, "admit">,
  options: {
    clock: Clock;
    dedupeWindowMs: number;
    /** Admit transactions at once. @defaultValue 1 */
    maxFlushes?: number;
  },
): { admit: AdmitLeads; close(): Promise<void> } {
  const committer = createGroupCommitter<PendingAdmit>({
    maxFlushes: options.maxFlushes ?? 1,
    flush: async (items) => {
      const now = options.clock.now();
      const all = items.flatMap((item) => item.leads);
      const byId = new Map(
        (await leads.admit(all, { dedupeSince: now - options.dedupeWindowMs, now })).map((a) => [
          a.id,
          a,
        ]),
      );
      for (const item of items) item.admissions = item.leads.map((lead) => byId.get(lead.id)!);
    },
  });
  return {
    admit: async (newLeads) => {
      const pending: PendingAdmit = { leads: newLeads };
      await committer.add(pending);
      return pending.admissions!;
    },
    close: () => committer.close(),
  };
}
