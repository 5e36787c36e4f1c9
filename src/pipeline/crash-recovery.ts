/**
 * Recovery at start, before any loop runs. A lead still in `sending` was cut
 * off mid-send: whether Clay got its row is unknown, so `recovery.sending`
 * decides — "resend" sends it again (at-least-once; Clay's dedupe and the
 * callback check absorb a double), "hold" puts it in the DLQ as
 * `interrupted_send` for a person. Duplicates left waiting for a lead that went
 * dead (a crash between the two writes) are sent on their own.
 */
import type { StoredLead } from "../store/lead-store.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import type { PipelineContext } from "./pipeline-context.js";
import { releaseDuplicates } from "./release-duplicates.js";

export interface RecoveryCounts {
  /** Interrupted sends put back in the outbox. */
  resent: number;
  /** Interrupted sends put in the DLQ. */
  held: number;
  /** Duplicates of dead leads sent on their own. */
  releasedDuplicates: number;
}

const PAGE = 500;

export async function recoverAfterCrash(
  ctx: Pick<PipelineContext, "config" | "store" | "clock" | "logger" | "events">,
): Promise<RecoveryCounts> {
  const now = ctx.clock.now();
  const counts: RecoveryCounts = {
    ...(await recoverInterruptedSends(ctx, now)),
    releasedDuplicates: await releaseOrphanedDuplicates(ctx, now),
  };
  if (counts.resent + counts.held + counts.releasedDuplicates > 0) {
    ctx.logger.warn(
      { ...counts, policy: ctx.config.recovery.sending },
      "recovered leads from an interrupted run",
    );
  }
  return counts;
}

/**
 * Applies `recovery.sending` to every lead in `sending` whose availableAt has
 * passed: all of them at the start of a single process; in the queue tier,
 * whose workers lease a send until availableAt, only sends whose lease ran out.
 */
export async function recoverInterruptedSends(
  ctx: Pick<PipelineContext, "config" | "store" | "logger" | "events">,
  now: number,
): Promise<Pick<RecoveryCounts, "resent" | "held">> {
  const { store } = ctx;
  const policy = ctx.config.recovery.sending;
  const counts = { resent: 0, held: 0 };
  // Every lead of a page leaves `sending`, so the next call returns the next ones.
  for (
    let page = await store.leads.due("sending", now, PAGE);
    page.length > 0;
    page = await store.leads.due("sending", now, PAGE)
  ) {
    for (const lead of page) {
      if (policy === "resend") {
        // Its reservation goes back; the send reserves again.
        await store.ledger.release(lead.id, now);
        await store.leads.transition(
          lead.id,
          "sending",
          "queued",
          {
            availableAt: now,
            reason: "interrupted send: sending again (at-least-once)",
          },
          now,
        );
        counts.resent += 1;
      } else {
        await deadLetterLead(ctx, lead.id, {
          from: "sending",
          reason: "interrupted_send",
          detail:
            "claypipe stopped while sending it, and recovery.sending is hold: check Clay for the row, then replay or purge it",
          now,
        });
        counts.held += 1;
      }
    }
  }
  return counts;
}

async function releaseOrphanedDuplicates(
  ctx: Pick<PipelineContext, "store" | "logger">,
  now: number,
): Promise<number> {
  const originals = new Map<string, StoredLead | undefined>();
  let cursor: string | undefined;
  do {
    const page = await ctx.store.leads.list({ states: ["duplicate"], limit: PAGE, cursor });
    for (const duplicate of page.leads) {
      const originalId = duplicate.duplicateOf;
      if (originalId !== null && !originals.has(originalId)) {
        originals.set(originalId, await ctx.store.leads.get(originalId));
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  let released = 0;
  for (const [id, original] of originals) {
    // A purged original (undefined) is as gone as a dead one.
    if (original === undefined || original.state === "dead") {
      released += await releaseDuplicates(ctx, id, now);
    }
  }
  return released;
}
