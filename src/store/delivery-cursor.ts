/**
 * The opaque cursor `deliveries.listDead` hands out: the (updatedAt, leadId,
 * sink) of the last dead delivery on a page, the order the dead index keeps,
 * so the next page starts right after it however many die meanwhile.
 */
import { ClaypipeError } from "../core/errors.js";
import type { SinkDelivery } from "./delivery-store.js";

export interface DeliveryCursor {
  updatedAt: number;
  leadId: string;
  sink: string;
}

export function encodeDeliveryCursor(cursor: DeliveryCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.leadId, cursor.sink])).toString(
    "base64url",
  );
}

export function decodeDeliveryCursor(text: string): DeliveryCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      typeof value[2] === "string"
    ) {
      return { updatedAt: value[0] as number, leadId: value[1], sink: value[2] };
    }
  } catch {
    // Falls through to the error below: a cursor that does not parse is the caller's mistake.
  }
  throw new ClaypipeError("input_invalid", "the list cursor is not one this store handed out", {
    hint: "pass the nextCursor of the previous page unchanged, or leave the cursor out to start again",
  });
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
