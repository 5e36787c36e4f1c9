/**
 * The opaque cursors the stores' lists hand out: the sort key of the last row
 * on a page, as a base64url JSON array, so the next page starts right after it
 * however many rows arrive meanwhile. Each list names its key's shape.
 */
import { ClaypipeError } from "../core/errors.js";

type Part = "integer" | "string";
type Value<P extends Part> = P extends "integer" ? number : string;

export function encodeCursor(values: ReadonlyArray<number | string>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** The key's values, or an input_invalid error when the text is not a cursor of this shape. */
export function decodeCursor<const S extends readonly Part[]>(
  text: string,
  shape: S,
): { [K in keyof S]: Value<S[K]> } {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      shape.every((part, i) =>
        part === "integer" ? Number.isSafeInteger(value[i]) : typeof value[i] === "string",
      )
    ) {
      return value as { [K in keyof S]: Value<S[K]> };
    }
  } catch {
    // Falls through to the error below: a cursor that does not parse is the caller's mistake.
  }
  throw new ClaypipeError("input_invalid", "the list cursor is not one this store handed out", {
    hint: "pass the nextCursor of the previous page unchanged, or leave the cursor out to start again",
  });
}
