/**
 * A person's versions: every lead of the same identity in the same workspace
 * keeps its own result, so a re-enrichment (a refresh, or the person coming
 * back after the dedupe window) is a new lead beside the earlier ones, and
 * what changed is the difference between the newest two results.
 */
import type { EnrichedRow, StoredLead } from "./lead-store.js";

/** The result a person had before a given lead. */
export interface PreviousVersion {
  leadId: string;
  result: EnrichedRow;
  createdAt: number;
}

export interface StaleQuery {
  /** Only versions created before this time (ms). */
  createdBefore: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  limit: number;
}

export interface LeadVersions {
  /**
   * The newest result of the lead's person (same workspace and identity) among
   * the leads created before it, other than its own; none when it has no earlier result.
   */
  previous(
    lead: Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">,
  ): Promise<PreviousVersion | undefined>;
  /** `previous` of each lead, at once: by lead id, for the leads that have one. */
  previousOf(
    leads: ReadonlyArray<Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">>,
  ): Promise<Map<string, PreviousVersion>>;
  /**
   * Each person's newest lead when it has a result (enriched or delivered) and
   * was created before `createdBefore`, and no later lead of that person
   * exists except dead ones: the versions a refresh may renew. Oldest first.
   */
  stale(query: StaleQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }>;
}
