/**
 * The opaque cursor `leads.list` hands out: the (createdAt, id) of the last
 * lead on a page, so the next page starts right after it however many leads
 * arrive meanwhile.
 */
import { decodeCursor, encodeCursor } from "./cursor-codec.js";

export interface LeadCursor {
  createdAt: number;
  id: string;
}

export function encodeLeadCursor(cursor: LeadCursor): string {
  return encodeCursor([cursor.createdAt, cursor.id]);
}

export function decodeLeadCursor(text: string): LeadCursor {
  const [createdAt, id] = decodeCursor(text, ["integer", "string"]);
  return { createdAt, id };
}

/** A page of leads read with `limit`: the cursor after its last lead, or null when it is the last page. */
export function leadPage<T extends LeadCursor>(
  leads: T[],
  limit: number,
): { leads: T[]; nextCursor: string | null } {
  const last = leads.at(-1);
  return {
    leads,
    nextCursor:
      last && leads.length === limit
        ? encodeLeadCursor({ createdAt: last.createdAt, id: last.id })
        : null,
  };
}
