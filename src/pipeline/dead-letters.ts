/**
 * The DLQ as people use it (CLI and HTTP): list dead leads, inspect one,
 * replay, purge. A replay never spends credits on a lead whose result came
 * back: such a lead is routed again from its stored result, and a replay of a
 * sink's dead deliveries sends the stored result to that sink again (there,
 * `reason` matches words in the delivery's last error).
 *
 * A lead dead as `budget` (the event tier's refusal by a credit cap) is
 * replayed only while its caps have room for it — from the cap's next window
 * (the lead's `availableAt`), or sooner when the cap was raised — counting the
 * leads replayed before it, so a replay does not send more than the caps
 * allow; the others stay dead, and the replay says until when. Where the
 * transport has a dead-letter topic, its letters can be replayed too: each
 * names a lead, replayed as above when it is still dead in the store for its reason (a lead
 * held there is replayed from the store once its caps open).
 */
import { ClaypipeError } from "../core/errors.js";
import type { LeadListQuery, SinkDelivery, StoredLead } from "../store/store.js";
import type { DeadLetterTopic } from "../transport/transport.js";
import { creditRoomAt, type TakeCreditRoom } from "./credit-room.js";
import type { DeadLetters, ReplayFilter, ReplayResult } from "./pipeline-api.js";
import type { PipelineContext } from "./pipeline-context.js";
import { readLeadView } from "./read-lead-view.js";

const PAGE = 500;

export function createDeadLetters(
  ctx: Pick<PipelineContext, "config" | "store" | "clock" | "logger" | "sinks">,
  topic?: DeadLetterTopic,
): DeadLetters {
  const { store } = ctx;

  /** Every dead lead the filter matches (all pages, read before anything moves). */
  async function deadLeads(filter: Omit<ReplayFilter, "sink">): Promise<StoredLead[]> {
    if (filter.ids) {
      const found = await Promise.all(filter.ids.map((id) => store.leads.get(id)));
      return found.filter(
        (lead): lead is StoredLead =>
          lead?.state === "dead" &&
          (filter.reason === undefined || lead.reason === filter.reason) &&
          matchesLead(lead, filter) &&
          diedWithin(lead.updatedAt, filter),
      );
    }
    const leads: StoredLead[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.leads.list({
        ...leadQuery(filter),
        states: ["dead"],
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      leads.push(...page.leads);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return leads;
  }

  /**
   * Moves one dead lead on: routed again from its result, or back to the
   * outbox. A `budget` lead without a result takes its estimate from `room`
   * first; "held" (and when its caps open) when they have no room for it.
   */
  async function replayLead(
    lead: StoredLead,
    room: TakeCreditRoom,
  ): Promise<"replayed" | "moved_on" | { heldUntil: number }> {
    if (lead.reason === "budget" && !lead.result) {
      const fits = await room(lead);
      if (!fits.taken) return { heldUntil: fits.opensAt };
    }
    const now = ctx.clock.now();
    // With a result: routed again, no credit. Without: sent to Clay again.
    const moved = lead.result
      ? await store.leads.transition(
          lead.id,
          "dead",
          "enriched",
          {
            reason: "replayed: routed again from its stored result",
            availableAt: now,
            routes: [],
          },
          now,
        )
      : await store.leads.transition(
          lead.id,
          "dead",
          "queued",
          { reason: "replayed", availableAt: now, callbackDeadline: null },
          now,
        );
    return moved ? "replayed" : "moved_on";
  }

  async function replayLeads(filter: ReplayFilter): Promise<ReplayResult> {
    const room = creditRoomAt(ctx, ctx.clock.now());
    let replayed = 0;
    let held: ReplayResult["heldByBudget"];
    for (const lead of await deadLeads(filter)) {
      const outcome = await replayLead(lead, room);
      if (outcome === "replayed") replayed += 1;
      else if (outcome !== "moved_on") {
        held = {
          leads: (held?.leads ?? 0) + 1,
          replayableAfter: Math.min(held?.replayableAfter ?? outcome.heldUntil, outcome.heldUntil),
        };
      }
    }
    return held ? { replayed, heldByBudget: held } : { replayed };
  }

  async function replayDeliveries(sink: string, filter: ReplayFilter): Promise<number> {
    // Sinks are built when the pipeline starts delivering: a DLQ command's pipeline has none built.
    const configured = [
      ...new Set([...ctx.config.sinks.map((config) => config.name), ...ctx.sinks.keys()]),
    ];
    if (!configured.includes(sink)) {
      // Revived deliveries of a sink that is not configured would wait for good.
      throw new ClaypipeError("input_invalid", `no sink named "${sink}" is configured`, {
        hint: `replay one of: ${configured.join(", ") || "(no sinks configured)"}`,
      });
    }
    const dead = await store.deliveries.dead(sink, Number.MAX_SAFE_INTEGER);
    const ids = filter.ids ? new Set(filter.ids) : undefined;
    const chosen: SinkDelivery[] = [];
    for (const delivery of dead) {
      if (ids && !ids.has(delivery.leadId)) continue;
      if (filter.reason && !(delivery.lastError ?? "").includes(filter.reason)) continue;
      if (!diedWithin(delivery.updatedAt, filter)) continue;
      const lead = await store.leads.get(delivery.leadId);
      if (lead && matchesLead(lead, filter)) chosen.push(delivery);
    }
    if (chosen.length === 0) return 0;
    const leadIds = chosen.map((delivery) => delivery.leadId);
    const now = ctx.clock.now();
    const revived = await store.deliveries.revive({ sink, leadIds }, now);
    // Back to enriched with its routes kept: the routing step does not route it
    // again, it only finishes the lead once the delivery step has settled the
    // revived deliveries. Reviving first means a crash between the two steps
    // still gets the record delivered.
    for (const leadId of leadIds) {
      await store.leads.transition(
        leadId,
        "delivered",
        "enriched",
        { reason: `replaying its dead delivery to ${sink}`, availableAt: now },
        now,
      );
    }
    return revived;
  }

  return {
    list(query = {}) {
      return store.leads.list({
        ...leadQuery(query),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        states: ["dead"],
      });
    },

    deliveries(query = {}) {
      return store.deliveries.listDead({
        ...(query.sink === undefined ? {} : { sink: query.sink }),
        ...(query.reason === undefined ? {} : { errorContains: query.reason }),
        ...(query.source === undefined ? {} : { source: query.source }),
        ...(query.diedAfter === undefined ? {} : { diedAfter: query.diedAfter }),
        ...(query.diedBefore === undefined ? {} : { diedBefore: query.diedBefore }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
    },

    inspect: (id) => readLeadView(store, id),

    async replay(filter) {
      const result =
        filter.sink === undefined
          ? await replayLeads(filter)
          : { replayed: await replayDeliveries(filter.sink, filter) };
      ctx.logger.info({ ...result, sink: filter.sink }, "dead letters replayed");
      return result;
    },

    async replayTopic() {
      if (!topic) {
        throw new ClaypipeError(
          "input_invalid",
          `the ${ctx.config.tier} tier has no dead-letter topic: its DLQ is the store's`,
          { hint: "replay without --from-topic (e.g. `claypipe dlq replay --reason no_callback`)" },
        );
      }
      const room = creditRoomAt(ctx, ctx.clock.now());
      const counts = await topic.replay(async (letter) => {
        const lead = await store.leads.get(letter.leadId);
        // Replayed before (by an earlier replay of the topic or of the store), or purged;
        // or dead again for another reason since, which this letter does not record.
        if (lead?.state !== "dead" || lead.reason !== letter.reason) return "skipped";
        const outcome = await replayLead(lead, room);
        if (outcome === "moved_on") return "skipped";
        return outcome;
      });
      ctx.logger.info({ ...counts }, "dead-letter topic replayed");
      return counts;
    },

    async purge(filter) {
      const ids = (await deadLeads(filter)).map((lead) => lead.id);
      const purged = await store.leads.purge(ids);
      ctx.logger.info({ purged }, "dead leads purged");
      return { purged };
    },
  };
}

function leadQuery(filter: Omit<ReplayFilter, "sink">): Omit<LeadListQuery, "states"> {
  return {
    ...(filter.ids === undefined ? {} : { ids: filter.ids }),
    ...(filter.reason === undefined ? {} : { reason: filter.reason }),
    ...(filter.source === undefined ? {} : { source: filter.source }),
    ...(filter.createdAfter === undefined ? {} : { createdAfter: filter.createdAfter }),
    ...(filter.createdBefore === undefined ? {} : { createdBefore: filter.createdBefore }),
    // A dead lead does not move again: its last move is when it died.
    ...(filter.diedAfter === undefined ? {} : { updatedAfter: filter.diedAfter }),
    ...(filter.diedBefore === undefined ? {} : { updatedBefore: filter.diedBefore }),
  };
}

/** Whether something that died at `diedAt` falls within the filter's died-after/died-before bounds. */
function diedWithin(diedAt: number, filter: Omit<ReplayFilter, "sink">): boolean {
  if (filter.diedAfter !== undefined && diedAt < filter.diedAfter) return false;
  if (filter.diedBefore !== undefined && diedAt >= filter.diedBefore) return false;
  return true;
}

/** The lead-level filters (source, creation time) that apply to dead leads and dead deliveries alike. */
function matchesLead(lead: StoredLead, filter: Omit<ReplayFilter, "sink">): boolean {
  if (filter.source !== undefined && lead.source !== filter.source) return false;
  if (filter.createdAfter !== undefined && lead.createdAt < filter.createdAfter) return false;
  if (filter.createdBefore !== undefined && lead.createdAt >= filter.createdBefore) return false;
  return true;
}
