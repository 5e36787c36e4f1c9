/**
 * The last move of a lead: once every delivery its routes scheduled is settled
 * (delivered, or dead in that sink's own dead letter), the lead is `delivered`,
 * with a reason naming the sinks, or the dead deliveries and why they failed.
 * A skipped lead's deliveries settle too, and it stays `skipped`: the move
 * below only takes enriched leads.
 */
import type { PipelineContext } from "./pipeline-context.js";

/** Moves routed leads whose every delivery is settled to `delivered`. */
export async function finishSettled(ctx: PipelineContext, leadIds: string[]): Promise<void> {
  const { store } = ctx;
  for (const [leadId, deliveries] of await store.deliveries.settledLeads(leadIds)) {
    const dead = deliveries.filter((delivery) => delivery.state === "dead");
    const reason =
      dead.length === 0
        ? `delivered to ${deliveries.map((delivery) => delivery.sink).join(", ")}`
        : `settled; dead deliveries: ${dead.map((delivery) => `${delivery.sink} (${delivery.lastError ?? "failed"})`).join("; ")}`;
    const moved = await store.leads.transition(leadId, "enriched", "delivered", { reason });
    if (moved) ctx.events.emit("delivered", leadId);
  }
}
