/**
 * Leads waiting for capacity resume as soon as there is some, not after their
 * whole wait (`sender.capacityWait`). Every `sender.capacityCheck`, for each
 * source that has leads waiting, this step reads what is left of the table
 * the source sends to today — from the webhook and row counters every process
 * shares, and this process's config — and moves up to that many of the
 * source's waiting leads back to the outbox, to that table. So a webhook or a
 * table added to the config (here at start, or in another process of the
 * queue tier) takes the waiting leads within seconds.
 */
import type { PoolCapacity } from "../clay/webhook-pool.js";
import { type Destination, hasTable, sourceDestination } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { NO_CAPACITY_REASON_PREFIX } from "./wait-reasons.js";

export interface CapacityStepOptions {
  /** Leads moved per source and pass. @defaultValue 500 */
  batch?: number;
}

export function createCapacityStep(
  ctx: Pick<PipelineContext, "store" | "clock" | "config" | "senders" | "logger">,
  options: CapacityStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const { store, config } = ctx;
  const batch = options.batch ?? 500;

  /** Rows the destination can still take: the table's and its webhooks' room, the smaller. */
  const roomAt = async (destination: Destination): Promise<number> => {
    const sender = ctx.senders.get(destination.workspace);
    if (!sender || !hasTable(config, destination)) return 0;
    return room(await sender.capacity(destination.table));
  };

  return async (signal) => {
    const anyWaiting = await store.leads.list({
      states: ["deferred"],
      reasonPrefix: NO_CAPACITY_REASON_PREFIX,
      limit: 1,
    });
    if (anyWaiting.leads.length === 0) return 0;
    let moved = 0;
    for (const source of config.sources) {
      signal.throwIfAborted();
      const destination = sourceDestination(config, source.name);
      const limit = Math.min(batch, await roomAt(destination));
      if (limit === 0) continue;
      const { leads } = await store.leads.list({
        states: ["deferred"],
        reasonPrefix: NO_CAPACITY_REASON_PREFIX,
        source: source.name,
        limit,
      });
      const now = ctx.clock.now();
      for (const lead of leads) {
        const ok = await store.leads.transition(
          lead.id,
          "deferred",
          "queued",
          {
            availableAt: now,
            ...destination,
            reason: `capacity found: table "${destination.workspace}/${destination.table}" has room again`,
          },
          now,
        );
        if (ok) moved += 1;
      }
      if (leads.length > 0) {
        ctx.logger.info(
          { source: source.name, ...destination, resumed: leads.length },
          `leads waiting for capacity resume: table "${destination.workspace}/${destination.table}" has room`,
        );
      }
    }
    return moved;
  };
}

function room(capacity: PoolCapacity): number {
  const webhooks = capacity.webhooks.reduce((sum, webhook) => sum + webhook.remaining, 0);
  return Math.min(capacity.table.remaining, webhooks);
}
