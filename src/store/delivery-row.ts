/** A sink delivery as both SQL adapters store it: the row, its columns, and the port's view of it. */
import type { DeliveryState, SinkDelivery } from "./delivery-store.js";

export interface DeliveryRow {
  lead_id: string;
  sink: string;
  route: string;
  state: string;
  attempts: number;
  last_error: string | null;
  available_at: number;
  updated_at: number;
}

export const DELIVERY_COLUMNS =
  "lead_id, sink, route, state, attempts, last_error, available_at, updated_at";

export function toDelivery(row: DeliveryRow): SinkDelivery {
  return {
    leadId: row.lead_id,
    sink: row.sink,
    route: row.route,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastError: row.last_error,
    availableAt: row.available_at,
    updatedAt: row.updated_at,
  };
}

/** Groups deliveries (ordered by lead, then sink) by lead and keeps the leads with none pending. */
export function settledOf(
  leadIds: string[],
  deliveries: SinkDelivery[],
): Map<string, SinkDelivery[]> {
  const byLead = new Map<string, SinkDelivery[]>([...new Set(leadIds)].map((id) => [id, []]));
  for (const delivery of deliveries) byLead.get(delivery.leadId)?.push(delivery);
  for (const [leadId, ofLead] of byLead) {
    if (ofLead.some((delivery) => delivery.state === "pending")) byLead.delete(leadId);
  }
  return byLead;
}
