/**
 * The sink port: where enriched leads go (CRMs, outreach tools, databases,
 * files, topics). Every sink is idempotent, so a replay or a repeated callback
 * never creates a second record: record sinks (PostgreSQL, HubSpot, Salesforce)
 * upsert on the person's identity, one record per person; event sinks (file,
 * webhook) key on the lead id, one event per accepted lead.
 */

/** One enriched lead on its way to a sink. */
export interface SinkRecord {
  /** claypipe_id: the idempotency key every sink upserts on. */
  leadId: string;
  /** The person's identity (core/lead.ts identityKey), e.g. "email:ada@acme.com". */
  identityKey: string;
  /** The enriched row: input fields plus what Clay added. */
  row: Record<string, unknown>;
  source: string;
  route: string;
  /** ISO time the result arrived (for a lead an `enrichIf` rule skipped: when it was skipped). */
  enrichedAt: string;
}

export type SinkResult =
  | { ok: true }
  | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

export interface Sink {
  readonly name: string;
  /** Most records one deliver() call takes (a CRM's batch size). */
  readonly maxBatch: number;
  /**
   * Upserts the records, pacing itself under the far side's rate limit.
   * Returns one result per record, in order; throws only when aborted.
   */
  deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]>;
  close(): Promise<void>;
}
