/**
 * The opaque cursor `leads.list` hands out: the (createdAt, id) of the last
 * lead on a page, so the next page starts right after it however many leads
 * arrive meanwhile.
 */
import { ClaypipeError } from "../core/errors.js";

export interface LeadCursor {
  createdAt: number;
  id: string;
}

export function encodeLeadCursor(cursor: LeadCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

export function decodeLeadCursor(text: string): LeadCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    ) {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // Falls through to the error below: a cursor that does not parse is the caller's mistake.
  }
  throw new ClaypipeError("input_invalid", "the list cursor is not one this store handed out", {
    hint: "pass the nextCursor of the previous page unchanged, or leave the cursor out to start again",
  });
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
