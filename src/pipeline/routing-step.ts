/**
 * Routes enriched leads: the router's rules pick the sinks for each result,
 * one pending delivery is scheduled per (lead, sink), and the lead is marked
 * routed (still `enriched`, with its routes). A routed lead comes back every
 * SETTLE_RECHECK_MS and is finished once all its deliveries are settled, so a
 * crash between a sink's answer and the lead's last move repairs itself. A lead
 * no rule sends anywhere is delivered at once. A lead that comes back with its
 * routes kept (a recheck, or a replay of dead deliveries) is not routed again:
 * its deliveries already exist.
 */
import type { StoredLead } from "../store/store.js";
import { finishSettled } from "./finish-delivered.js";
import type { PipelineContext } from "./pipeline-context.js";

export interface RoutingStepOptions {
  /** Enriched leads routed per pass. @defaultValue 100 */
  batchSize?: number;
}

/** How long a routed lead waits before the step checks again whether its deliveries are settled. */
export const SETTLE_RECHECK_MS = 30_000;

export function createRoutingStep(
  ctx: PipelineContext,
  options: RoutingStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const { store } = ctx;

  async function route(lead: StoredLead): Promise<string | undefined> {
    const now = ctx.clock.now();
    if (lead.routes.length > 0) {
      const moved = await store.leads.transition(
        lead.id,
        "enriched",
        "enriched",
        { availableAt: now + SETTLE_RECHECK_MS, reason: lead.reason },
        now,
      );
      return moved ? lead.id : undefined;
    }
    const matches = ctx.router.route(lead.result ?? {});
    const deliveries = new Map<string, { leadId: string; sink: string; route: string }>();
    for (const match of matches) {
      for (const sink of match.sinks) {
        // Fan-out may name a sink twice: it gets the record once, for the first route.
        if (!deliveries.has(sink))
          deliveries.set(sink, { leadId: lead.id, sink, route: match.route });
      }
    }
    if (deliveries.size === 0) {
      const reason = matches.length === 0 ? "no route matched" : "its routes name no sinks";
      const moved = await store.leads.transition(
        lead.id,
        "enriched",
        "delivered",
        { reason, routes: matches.map((match) => match.route) },
        now,
      );
      if (moved) ctx.events.emit("delivered", lead.id);
      return undefined;
    }
    // Scheduling twice (a re-run after a crash) leaves the existing deliveries as they are.
    await store.deliveries.schedule([...deliveries.values()], now);
    const routes = [...new Set(matches.map((match) => match.route))];
    const moved = await store.leads.transition(
      lead.id,
      "enriched",
      "enriched",
      {
        routes,
        availableAt: now + SETTLE_RECHECK_MS,
        reason: `routed to ${[...deliveries.keys()].join(", ")}`,
      },
      now,
    );
    return moved ? lead.id : undefined;
  }

  return async function routingStep(signal: AbortSignal): Promise<number> {
    const leads = await store.leads.due("enriched", ctx.clock.now(), batchSize);
    const routed: string[] = [];
    for (const lead of leads) {
      if (signal.aborted) break;
      const id = await route(lead);
      if (id !== undefined) routed.push(id);
    }
    // Deliveries that were settled before the lead was marked routed (a replayed
    // lead whose deliveries all exist, or a fast sink) have no step left to
    // finish the lead: finish it here.
    if (routed.length > 0) await finishSettled(ctx, routed);
    return leads.length;
  };
}
