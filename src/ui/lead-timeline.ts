/**
 * A lead's timeline: its transitions (the reason of each says the webhook a
 * send used, the callback, a retry, why it died) and its sink deliveries with
 * their answers, merged in time order. A transition and a delivery at the
 * same moment keep the transition first: the delivery follows from it.
 */
import type { LeadEvent, SinkDelivery } from "../store/store.js";

export type TimelineEntry =
  | { kind: "transition"; at: number; event: LeadEvent }
  | { kind: "delivery"; at: number; delivery: SinkDelivery };

export function leadTimeline(
  history: readonly LeadEvent[],
  deliveries: readonly SinkDelivery[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...history.map((event) => ({ kind: "transition" as const, at: event.at, event })),
    ...deliveries.map((delivery) => ({
      kind: "delivery" as const,
      at: delivery.updatedAt,
      delivery,
    })),
  ];
  // Array sort is stable: events keep their recorded order among equal times.
  return entries.sort((a, b) => a.at - b.at || rank(a) - rank(b));
}

function rank(entry: TimelineEntry): number {
  return entry.kind === "transition" ? 0 : 1;
}
