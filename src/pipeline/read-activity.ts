/**
 * The running totals of `status().activity`: each only grows, so a dashboard
 * that samples status plots the difference between two samples as a rate.
 * Every figure is one cheap read: counters the senders keep anyway, the
 * inbox's highest id, and an index of delivered deliveries.
 */
import type { PoolCapacity } from "../clay/webhook-pool.js";
import type { PipelineContext } from "./pipeline-context.js";

export interface PipelineActivity {
  /**
   * Rows sent to Clay's webhooks: the submissions the capacity counters hold,
   * over every webhook in the config (a row that provably never reached Clay is
   * given back; a webhook removed from the config stops counting).
   */
  sent: number;
  /**
   * 429s Clay answered the senders, all workspaces: every process's in the
   * queue and event tiers (kept in Redis); this process's since it started in
   * the standard tier.
   */
  rateLimited: number;
  /** Callbacks from Clay written to the inbox (the inbox's highest id). */
  callbacks: number;
  /** Sink deliveries delivered, all sinks (less those of dead leads purged). */
  delivered: number;
  /** Leads in the DLQ now (`states.dead`): unlike the others it falls when leads are replayed or purged. */
  dead: number;
}

/** The totals `readStatus` has no other figures for; it adds `sent` and `dead` from its own. */
export async function readActivityTotals(
  ctx: PipelineContext,
): Promise<Pick<PipelineActivity, "rateLimited" | "callbacks" | "delivered">> {
  const [rateLimited, callbacks, delivered] = await Promise.all([
    Promise.all([...ctx.senders.values()].map((sender) => sender.rateLimitedCount())),
    ctx.store.inbox.totalReceived(),
    ctx.store.deliveries.countDelivered(),
  ]);
  return {
    rateLimited: rateLimited.reduce((sum, count) => sum + count, 0),
    callbacks,
    delivered,
  };
}

/** `activity.sent` from status's capacity: each webhook's submissions once, however many tables list its URL. */
export function sumSubmissions(capacity: Array<{ pool: PoolCapacity }>): number {
  const used = new Map<string, number>();
  for (const { pool } of capacity) {
    for (const webhook of pool.webhooks) used.set(webhook.key, webhook.used);
  }
  return [...used.values()].reduce((sum, count) => sum + count, 0);
}
