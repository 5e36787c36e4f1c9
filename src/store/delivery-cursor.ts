/**
 * The opaque cursor `deliveries.listDead` hands out: the (updatedAt, leadId,
 * sink) of the last dead delivery on a page, the order the dead index keeps,
 * so the next page starts right after it however many die meanwhile.
 */
import { decodeCursor, encodeCursor } from "./cursor-codec.js";
import type { SinkDelivery } from "./delivery-store.js";

export interface DeliveryCursor {
  updatedAt: number;
  leadId: string;
  sink: string;
}

export function encodeDeliveryCursor(cursor: DeliveryCursor): string {
  return encodeCursor([cursor.updatedAt, cursor.leadId, cursor.sink]);
}

export function decodeDeliveryCursor(text: string): DeliveryCursor {
  const [updatedAt, leadId, sink] = decodeCursor(text, ["integer", "string", "string"]);
  return { updatedAt, leadId, sink };
}

/** A page read with `limit`: the cursor after its last delivery, or null when it is the last page. */
export function deliveryPage(
  deliveries: SinkDelivery[],
  limit: number,
): { deliveries: SinkDelivery[]; nextCursor: string | null } {
  const last = deliveries.at(-1);
  return {
    deliveries,
    nextCursor: last && deliveries.length === limit ? encodeDeliveryCursor(last) : null,
  };
}
