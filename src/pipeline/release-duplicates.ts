/**
 * When a lead goes to the DLQ, the duplicates waiting for its result would wait
 * for good: each goes back to the outbox to be sent on its own.
 */
import type { PipelineContext } from "./pipeline-context.js";

export async function releaseDuplicates(
  ctx: Pick<PipelineContext, "store" | "logger">,
  originalId: string,
  now: number,
): Promise<number> {
  let released = 0;
  for (const duplicate of await ctx.store.leads.duplicatesOf(originalId)) {
    const moved = await ctx.store.leads.transition(
      duplicate.id,
      "duplicate",
      "queued",
      {
        availableAt: now,
        duplicateOf: null,
        reason: `lead ${originalId}, whose result it waited for, went to the DLQ: sending it on its own`,
      },
      now,
    );
    if (moved) released += 1;
  }
  if (released > 0) {
    ctx.logger.info(
      { leadId: originalId, released },
      "duplicates of a dead lead go to Clay on their own",
    );
  }
  return released;
}
