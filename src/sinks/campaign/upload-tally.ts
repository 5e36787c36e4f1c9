/**
 * What an outreach tool's answer to one upload says about each lead in it.
 * Instantly and Smartlead answer a bulk add with counts ("2 blocked, 1 invalid")
 * and name only some leads, so a lead's fate is known when the answer names it,
 * when nothing failed, or when every unnamed lead failed the same way. Any
 * other mix is unresolved: the caller sends those leads again in smaller
 * groups, which is safe because adding a lead already in a campaign adds nothing.
 */
import type { SinkResult } from "../sink.js";

export interface UploadTally {
  /** Leads the answer names, by email, with what happened to each. */
  named: ReadonlyMap<string, SinkResult>;
  /** Failures the answer only counts: how many leads, and what it means for each. */
  counted: ReadonlyArray<{ count: number; result: SinkResult }>;
}

export interface TallyResolution {
  results: Map<string, SinkResult>;
  /** Leads the answer leaves ambiguous; empty when every lead is accounted for. */
  unresolved: string[];
}

const OK: SinkResult = { ok: true };

/** Each of `emails` (the leads of one upload) with its result, or left unresolved. */
export function resolveTally(emails: readonly string[], tally: UploadTally): TallyResolution {
  const results = new Map<string, SinkResult>();
  const rest: string[] = [];
  for (const email of emails) {
    const named = tally.named.get(email);
    if (named) results.set(email, named);
    else rest.push(email);
  }
  const failures = tally.counted.filter((failure) => failure.count > 0);
  const failed = failures.reduce((sum, failure) => sum + failure.count, 0);
  // Added, already in the campaign, or skipped by the tool's duplicate rule: all delivered.
  if (failed === 0) {
    for (const email of rest) results.set(email, OK);
    return { results, unresolved: [] };
  }
  const [first] = failures;
  if (first && (rest.length === 1 || (failures.length === 1 && failed >= rest.length))) {
    for (const email of rest) results.set(email, first.result);
    return { results, unresolved: [] };
  }
  return { results, unresolved: rest };
}
