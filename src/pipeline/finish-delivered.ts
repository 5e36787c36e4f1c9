/**
 * The last move of a lead: once every delivery its routes scheduled is settled
 * (delivered, or dead in that sink's own dead letter), the lead is `delivered`,
 * with a reason naming the sinks, or the dead deliveries and why they failed.
 * A skipped lead's deliveries settle too, and it stays `skipped`: the move
 * below only takes enriched leads.
 */
import type { LeadMove } from "../store/lead-store.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Moves routed leads whose every delivery is settled to `delivered`: one read and one write. */
export async function finishSettled(ctx: PipelineContext, leadIds: string[]): Promise<void> {
  const { store } = ctx;
  const settled = await store.deliveries.settledLeads(leadIds);
  const moves: LeadMove[] = [...settled].map(([id, deliveries]) => {
    const dead = deliveries.filter((delivery) => delivery.state === "dead");
    const reason =
      dead.length === 0
        ? `delivered to ${deliveries.map((delivery) => delivery.sink).join(", ")}`
        : `settled; dead deliveries: ${dead.map((delivery) => `${delivery.sink} (${delivery.lastError ?? "failed"})`).join("; ")}`;
    return { id, from: "enriched", to: "delivered", patch: { reason } };
  });
  for (const leadId of await store.leads.transitionMany(moves)) {
    ctx.events.emit("delivered", leadId);
  }
}
