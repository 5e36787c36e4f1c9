/**
 * Routes enriched leads: the router's rules pick the sinks for each result,
 * one pending delivery is scheduled per (lead, sink), and the lead is marked
 * routed (still `enriched`, with its routes). A routed lead comes back every
 * SETTLE_RECHECK_MS and is finished once all its deliveries are settled, so a
 * crash between a sink's answer and the lead's last move repairs itself. A lead
 * no rule sends anywhere is delivered at once. A lead that comes back with its
 * routes kept (a recheck, or a replay of dead deliveries) is not routed again:
 * its deliveries already exist.
 *
 * Skipped leads (an `enrichIf` rule kept them from Clay) are routed too when
 * some route takes them (`on: [skipped]`): their record is their fields plus
 * `skipped_by`, and they stay `skipped`, marked with their routes and out of
 * this step's way for good. Without such a route they are left as they are.
 */
import { skippingRule } from "../core/skip-reason.js";
import type { RouteMatch } from "../routing/router.js";
import type { LeadMove } from "../store/lead-store.js";
import type { StoredLead } from "../store/store.js";
import { finishSettled } from "./finish-delivered.js";
import type { PipelineContext } from "./pipeline-context.js";
import { resultOutcome } from "./result-changes.js";

export interface RoutingStepOptions {
  /** Enriched leads routed per pass. @defaultValue 100 */
  batchSize?: number;
}

/** How long a routed lead waits before the step checks again whether its deliveries are settled. */
export const SETTLE_RECHECK_MS = 30_000;

/**
 * How long a routing pass holds the leads it took: far longer than a pass,
 * and how soon another process routes them when this one dies mid-pass.
 */
const ROUTE_LEASE_MS = 10_000;

/** A routed skipped lead's availableAt: it has nothing left to settle, so the step never takes it again. */
export const ROUTED_SKIPPED_AVAILABLE_AT = Number.MAX_SAFE_INTEGER;

export function createRoutingStep(
  ctx: PipelineContext,
  options: RoutingStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const { store } = ctx;

  /** What routing does with one lead: its deliveries (none: delivered at once) and its move. */
  interface Plan {
    lead: StoredLead;
    matches: readonly RouteMatch[];
    deliveries: PlannedDelivery[];
  }

  function plan(lead: StoredLead): Plan | undefined {
    // A lead that keeps its routes has its deliveries: it comes back only to be finished.
    if (lead.routes.length > 0) return undefined;
    // A result compared with an earlier one where nothing changed goes only where `on: [unchanged]` asks.
    const matches = ctx.router.route(lead.result ?? {}, resultOutcome(lead.result));
    return { lead, matches, deliveries: deliveriesOf(lead, matches) };
  }

  /** One lead's move once its deliveries are scheduled: on to wait for them, or delivered. */
  function moveOf(lead: StoredLead, routed: Plan | undefined, now: number): LeadMove {
    if (routed === undefined) {
      return {
        id: lead.id,
        from: "enriched",
        to: "enriched",
        patch: { availableAt: now + SETTLE_RECHECK_MS, reason: lead.reason },
      };
    }
    const { matches, deliveries } = routed;
    if (deliveries.length === 0) {
      const reason = matches.length === 0 ? "no route matched" : "its routes name no sinks";
      return {
        id: lead.id,
        from: "enriched",
        to: "delivered",
        patch: { reason, routes: matches.map((match) => match.route) },
      };
    }
    return {
      id: lead.id,
      from: "enriched",
      to: "enriched",
      patch: {
        routes: routeNames(matches),
        availableAt: now + SETTLE_RECHECK_MS,
        reason: `routed to ${describeSinks(deliveries)}`,
      },
    };
  }

  /** Schedules a skipped lead's deliveries; the lead stays skipped, with its reason and its routes. */
  async function routeSkipped(lead: StoredLead): Promise<void> {
    const now = ctx.clock.now();
    const matches = ctx.router.route(skippedRecord(lead), "skipped");
    const deliveries = deliveriesOf(lead, matches);
    if (deliveries.length > 0) await store.deliveries.schedule(deliveries, now);
    await store.leads.transition(
      lead.id,
      "skipped",
      "skipped",
      {
        routes: routeNames(matches),
        availableAt: ROUTED_SKIPPED_AVAILABLE_AT,
        reason:
          deliveries.length === 0
            ? lead.reason
            : `${lead.reason ?? "skipped"}; routed to ${describeSinks(deliveries)}`,
      },
      now,
    );
  }

  return async function routingStep(signal: AbortSignal): Promise<number> {
    const start = ctx.clock.now();
    // Leased, not only read: processes routing side by side take disjoint leads.
    const leads = await store.leads.leaseEnriched(start, batchSize, start + ROUTE_LEASE_MS);
    const plans = new Map(leads.map((lead) => [lead.id, plan(lead)]));
    // The pass's deliveries in one write; scheduling twice (a re-run after a crash, or a
    // lead another process moved meanwhile) leaves the existing deliveries as they are.
    const deliveries = [...plans.values()].flatMap((routed) => routed?.deliveries ?? []);
    if (deliveries.length > 0) await store.deliveries.schedule(deliveries, ctx.clock.now());
    const now = ctx.clock.now();
    const moves = leads.map((lead) => moveOf(lead, plans.get(lead.id), now));
    const moved = signal.aborted ? new Set<string>() : await store.leads.transitionMany(moves, now);
    const routed: string[] = [];
    for (const move of moves) {
      if (!moved.has(move.id)) continue;
      if (move.to === "delivered") ctx.events.emit("delivered", move.id);
      else routed.push(move.id);
    }
    // Deliveries that were settled before the lead was marked routed (a replayed
    // lead whose deliveries all exist, or a fast sink) have no step left to
    // finish the lead: finish it here.
    if (routed.length > 0) await finishSettled(ctx, routed);
    if (!ctx.router.takes("skipped")) return leads.length;
    const skipped = await store.leads.due("skipped", ctx.clock.now(), batchSize);
    for (const lead of skipped) {
      if (signal.aborted) break;
      await routeSkipped(lead);
    }
    return leads.length + skipped.length;
  };
}

/** What routes and sinks get of a skipped lead: its fields and the rule that skipped it. */
export function skippedRecord(lead: StoredLead): Record<string, unknown> {
  return { ...lead.fields, skipped_by: skippingRule(lead.reason) ?? null };
}

interface PlannedDelivery {
  leadId: string;
  sink: string;
  route: string;
}

/** One delivery per sink the matches name. */
function deliveriesOf(lead: StoredLead, matches: readonly RouteMatch[]): PlannedDelivery[] {
  const deliveries = new Map<string, PlannedDelivery>();
  for (const match of matches) {
    for (const sink of match.sinks) {
      // Fan-out may name a sink twice: it gets the record once, for the first route.
      if (!deliveries.has(sink))
        deliveries.set(sink, { leadId: lead.id, sink, route: match.route });
    }
  }
  return [...deliveries.values()];
}

function routeNames(matches: readonly RouteMatch[]): string[] {
  return [...new Set(matches.map((match) => match.route))];
}

function describeSinks(deliveries: readonly PlannedDelivery[]): string {
  return deliveries.map((delivery) => delivery.sink).join(", ");
}
