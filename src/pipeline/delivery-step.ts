/**
 * Delivers routed leads to one sink: due deliveries become sink records (the
 * stored result, never a new enrichment), the sink upserts them, and each is
 * marked delivered, retried later with back-off, or put in the sink's own dead
 * letter once it fails for good. Leads whose deliveries are all settled move to
 * `delivered`. Each sink gets its own step, so the wiring runs one loop per
 * sink and one sink's outage never holds the others.
 */
import type { SinkConfig } from "../config/schema.js";
import { coerceError } from "../core/errors.js";
import { withCrmRecordIds } from "../sinks/crm-record-ids.js";
import type { Sink, SinkRecord, SinkResult } from "../sinks/sink.js";
import type { SinkDelivery, StoredLead } from "../store/store.js";
import { finishSettled } from "./finish-delivered.js";
import type { PipelineContext } from "./pipeline-context.js";
import { skippedRecord } from "./routing-step.js";

/** Retry settings of a sink, from its config (`sinks[]`). */
export interface SinkRetryPolicy {
  /** @defaultValue 8 */
  maxAttempts: number;
  /** @defaultValue 1000 */
  initialBackoffMs: number;
  /** @defaultValue 300000 */
  maxBackoffMs: number;
}

export interface DeliveryStepOptions {
  /**
   * Deliveries one process takes are not handed to another for this long, and
   * it renews the lease while it works on them, so workers sharing a store never
   * deliver one result twice; a process that dies holding some leaves them to
   * the others after it. 0 for a store only one process uses: a restart then
   * takes them again at once. @defaultValue 0
   */
  leaseMs?: number;
}

export interface DeliveryStep {
  sink: string;
  step: (signal: AbortSignal) => Promise<number>;
  /** The most deliveries one pass takes (the sink's batch). */
  fullPass: number;
}

/** One step per configured sink, for the wiring to run each in its own loop. */
export function createDeliverySteps(
  ctx: PipelineContext,
  options: DeliveryStepOptions = {},
): DeliveryStep[] {
  return [...ctx.sinks.values()].map((sink) => ({
    sink: sink.name,
    step: createDeliveryStep(ctx, sink, options),
    fullPass: sink.maxBatch,
  }));
}

export function createDeliveryStep(
  ctx: PipelineContext,
  sink: Sink,
  options: DeliveryStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const leaseMs = options.leaseMs ?? 0;
  const { store, logger } = ctx;
  const policy = retryPolicy(ctx.config.sinks.find((config) => config.name === sink.name));

  /** The leased deliveries' leads, and when each was enriched: two reads for the whole batch. */
  async function readLeads(due: SinkDelivery[]) {
    const ids = [...new Set(due.map((delivery) => delivery.leadId))];
    const [{ leads }, enrichedTimes] = await Promise.all([
      store.leads.list({ ids, limit: ids.length }),
      store.leads.enrichedAt(ids),
    ]);
    return { leads: new Map(leads.map((lead) => [lead.id, lead])), enrichedTimes };
  }

  function toRecord(
    delivery: SinkDelivery,
    lead: StoredLead | undefined,
    enrichedAt: number | undefined,
  ): SinkRecord | undefined {
    // A skipped lead has no result: its record is its fields and the rule that skipped it.
    const row = lead?.state === "skipped" ? skippedRecord(lead) : lead?.result;
    if (!lead || !row) return undefined;
    return {
      leadId: lead.id,
      identityKey: lead.identityKey,
      row: withCrmRecordIds(row, lead.fields),
      source: lead.source,
      route: delivery.route,
      enrichedAt: new Date(
        lead.state === "skipped" ? lead.createdAt : (enrichedAt ?? lead.updatedAt),
      ).toISOString(),
    };
  }

  /**
   * Renews the lease on the leads' deliveries every third of it until
   * released: they go to another process only once this one stops renewing
   * (killed, frozen, cut off from the store), never while a slow sink call runs.
   */
  function holdLease(leadIds: string[]): { release(): Promise<void> } {
    if (leaseMs <= 0) return { release: async () => {} };
    const stop = new AbortController();
    const renewing = (async () => {
      for (;;) {
        try {
          await ctx.clock.sleep(leaseMs / 3, stop.signal);
        } catch {
          return;
        }
        await store.deliveries
          .renewLease(sink.name, leadIds, ctx.clock.now() + leaseMs)
          .catch((thrown: unknown) =>
            logger.warn(
              { sink: sink.name, err: coerceError(thrown).message },
              "could not renew a delivery lease: if it runs out, another worker may deliver these records too",
            ),
          );
      }
    })();
    return {
      async release() {
        stop.abort();
        await renewing;
      },
    };
  }

  async function deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
    try {
      return await sink.deliver(records, signal);
    } catch (thrown) {
      // Stopped mid-delivery: the records stay pending, with no try counted against them.
      if (signal.aborted) throw thrown;
      // The port promises results, not throws; a sink that breaks it is still retried, not stuck.
      const reason = coerceError(thrown).message;
      return records.map(() => ({ ok: false, retryable: true, reason }));
    }
  }

  async function markFailed(delivery: SinkDelivery, result: SinkResult & { ok: false }) {
    const now = ctx.clock.now();
    const attempts = delivery.attempts + 1;
    const retryAt =
      result.retryable && attempts < policy.maxAttempts
        ? now + Math.max(result.retryAfterMs ?? 0, backoff(policy, attempts))
        : null;
    await store.deliveries.markFailed(delivery.leadId, sink.name, result.reason, retryAt, now);
    if (retryAt === null) {
      // The reason can quote the far side's error text (emails, field values):
      // it stays in the store, where `claypipe dlq inspect` shows it, not in logs.
      logger.warn(
        { leadId: delivery.leadId, sink: sink.name, attempts, retryable: result.retryable },
        "delivery dead-lettered; see `claypipe dlq inspect <leadId>` for the reason",
      );
    }
  }

  return async function deliveryStep(signal: AbortSignal): Promise<number> {
    const now = ctx.clock.now();
    const due = await store.deliveries.lease(sink.name, now, sink.maxBatch, now + leaseMs);
    if (due.length === 0) return 0;
    const sendable: Array<{ delivery: SinkDelivery; record: SinkRecord }> = [];
    let results: SinkResult[] = [];
    const held = holdLease(due.map((delivery) => delivery.leadId));
    try {
      const { leads, enrichedTimes } = await readLeads(due);
      for (const delivery of due) {
        const record = toRecord(
          delivery,
          leads.get(delivery.leadId),
          enrichedTimes.get(delivery.leadId),
        );
        if (record) sendable.push({ delivery, record });
        else {
          await markFailed(delivery, {
            ok: false,
            retryable: false,
            reason: "the lead has no stored result (purged?)",
          });
        }
      }
      if (sendable.length > 0) {
        results = await deliver(
          sendable.map((item) => item.record),
          signal,
        );
      }
    } finally {
      // Renewing stops before the marks, so a renewal never moves a retry's time.
      await held.release();
    }
    const delivered: string[] = [];
    for (const [index, { delivery }] of sendable.entries()) {
      const result: SinkResult = results[index] ?? {
        ok: false,
        retryable: true,
        reason: `sink ${sink.name} returned no result for this record`,
      };
      if (result.ok) delivered.push(delivery.leadId);
      else await markFailed(delivery, result);
    }
    await store.deliveries.markDelivered(delivered, sink.name, ctx.clock.now());
    await finishSettled(ctx, [...new Set(due.map((delivery) => delivery.leadId))]);
    return due.length;
  };
}

function retryPolicy(config: SinkConfig | undefined): SinkRetryPolicy {
  return {
    maxAttempts: config?.maxAttempts ?? 8,
    initialBackoffMs: config?.initialBackoff ?? 1000,
    maxBackoffMs: config?.maxBackoff ?? 300_000,
  };
}

/** Doubles from the initial back-off with each failed try, up to the maximum. */
function backoff(policy: SinkRetryPolicy, attempts: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
}
