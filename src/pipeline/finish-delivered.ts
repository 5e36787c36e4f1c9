/**
 * The last move of a lead: once every delivery its routes scheduled is settled
 * (delivered, or dead in that sink's own dead letter), the lead is `delivered`,
 * with a reason naming the sinks, or the dead deliveries and why they failed.
 * A skipped lead's deliveries settle too, and it stays `skipped`: the move
 * below only takes enriched leads.
 *
 * A routed lead with no delivery at all is never taken as delivered: routing
 * writes a lead's deliveries before it marks the lead routed, so none means
 * they are gone from the store, and the lead is routed again instead of
 * reaching `delivered` with no sink ever given its record.
 */
import type { LeadMove } from "../store/lead-store.js";
import type { SinkDelivery } from "../store/store.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Moves routed leads whose every delivery is settled to `delivered`: one read and one write. */
export async function finishSettled(ctx: PipelineContext, leadIds: string[]): Promise<void> {
  const { store } = ctx;
  const settled = await store.deliveries.settledLeads(leadIds);
  const now = ctx.clock.now();
  const moves: LeadMove[] = [...settled].map(([id, deliveries]) =>
    deliveries.length === 0 ? routeAgain(ctx, id, now) : finish(id, deliveries),
  );
  for (const leadId of await store.leads.transitionMany(moves, now)) {
    if (settled.get(leadId)!.length > 0) ctx.events.emit("delivered", leadId);
  }
}

function finish(id: string, deliveries: SinkDelivery[]): LeadMove {
  const dead = deliveries.filter((delivery) => delivery.state === "dead");
  const reason =
    dead.length === 0
      ? `delivered to ${deliveries.map((delivery) => delivery.sink).join(", ")}`
      : `settled; dead deliveries: ${dead.map((delivery) => `${delivery.sink} (${delivery.lastError ?? "failed"})`).join("; ")}`;
  return { id, from: "enriched", to: "delivered", patch: { reason } };
}

function routeAgain(ctx: PipelineContext, id: string, now: number): LeadMove {
  ctx.logger.warn({ leadId: id }, "a routed lead has no deliveries in the store: routing it again");
  return {
    id,
    from: "enriched",
    to: "enriched",
    patch: {
      routes: [],
      availableAt: now,
      reason: "routed, but its deliveries were missing: routing again",
    },
  };
}
