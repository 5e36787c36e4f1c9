/**
 * The dedupe decision of an admission, shared by the store adapters: given a
 * batch of new leads in admission order and the stored original of each
 * person the store already holds, which lead is queued, which is a
 * duplicate of whom, and which is skipped (an `enrichIf` rule said so: it is
 * never anyone's original). The first lead of a person in the batch is the original
 * of the batch's later ones, so a batch decides as its leads would one by one,
 * while the adapter looks each person up once and writes the batch in a few
 * statements.
 */
import { skipReason } from "../core/skip-reason.js";
import type { Admission, AdmitOptions, NewLead, StoredLead } from "./lead-store.js";

/** Same person ⇔ same identity in the same workspace. */
export function personOf(lead: { workspace: string; identityKey: string }): string {
  return `${lead.workspace}\u0000${lead.identityKey}`;
}

/**
 * Decides every lead of the batch. `stored` holds, by person, the original
 * found in the store; `people` is each lead's person (personOf), when the
 * caller has them already.
 */
export function decideAdmissions(
  leads: readonly NewLead[],
  stored: ReadonlyMap<string, StoredLead>,
  { dedupeSince, now }: AdmitOptions,
  people: readonly string[] = leads.map(personOf),
): Admission[] {
  // A lead created now counts as an original only inside the dedupe window, as a stored one would.
  const countsForDedupe = now >= dedupeSince;
  /** The first lead of each person in this batch, when the store holds no original of it. */
  const firsts = new Map<string, NewLead>();
  /** Those firsts as the store will hold them, made only for a person the batch repeats. */
  const firstsStored = new Map<string, StoredLead>();
  return leads.map((lead, index): Admission => {
    if (lead.skippedBy !== undefined)
      return { id: lead.id, state: "skipped", rule: lead.skippedBy };
    if (lead.refreshOf) return { id: lead.id, state: "queued" };
    const person = people[index]!;
    let original = stored.get(person) ?? firstsStored.get(person);
    if (original === undefined) {
      const first = firsts.get(person);
      if (first === undefined) {
        if (countsForDedupe) firsts.set(person, lead);
        return { id: lead.id, state: "queued" };
      }
      original = admittedLead(first, now);
      firstsStored.set(person, original);
    }
    return { id: lead.id, state: "duplicate", duplicateOf: original.id, original };
  });
}

/** The reason an admitted lead is stored with: whose duplicate, which rule skipped it, or what it refreshes. */
export function admissionReason(lead: NewLead, admission: Admission): string | null {
  if (admission.state === "duplicate") return `duplicate of ${admission.duplicateOf}`;
  if (admission.state === "skipped") return skipReason(admission.rule);
  if (lead.refreshOf)
    return `refresh of ${lead.refreshOf.leadId} (schedule "${lead.refreshOf.schedule}")`;
  return null;
}

/** A lead admitted as queued at `now`, as the store holds it once the batch commits. */
function admittedLead(lead: NewLead, now: number): StoredLead {
  return {
    id: lead.id,
    source: lead.source,
    workspace: lead.workspace,
    table: lead.table,
    identityKey: lead.identityKey,
    fields: lead.fields,
    state: "queued",
    reason: null,
    priority: lead.priority,
    attempt: 0,
    availableAt: now,
    callbackDeadline: null,
    duplicateOf: null,
    result: null,
    routes: [],
    createdAt: now,
    updatedAt: now,
  };
}
