/**
 * Clay's size limit for one row, and how big a lead's row is. The sender
 * measures the exact row it posts; intake measures the lead's fields with room
 * kept for what the sender adds, so a lead that can never make a row is
 * refused when it arrives instead of dying later as payload_too_large.
 */

/** Clay's payload limit for a webhook request, in bytes. */
export const MAX_ROW_BYTES = 102_400;

/** Room kept at intake for the fields the sender adds: claypipe_id and the signed callback_url. */
export const ROW_ROOM_BYTES = 2_048;

/** UTF-8 size of a value as JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

/**
 * A bound no smaller than jsonBytes of a flat record, without serializing it:
 * a UTF-16 unit is at most 6 bytes of JSON (an escape such as \u001f; else 3
 * of UTF-8), a number at most 24 characters. Nearly every lead is a few hundred
 * bytes, far under the limit, so checking the bound first spares intake a
 * JSON.stringify per lead.
 */
export function flatJsonBytesAtMost(row: Record<string, unknown>): number {
  let bytes = 2;
  for (const key in row) {
    const value = row[key];
    // Quotes, colon and comma around the key, quotes around a string value.
    bytes += key.length * 6 + 6 + (typeof value === "string" ? value.length * 6 : 24);
  }
  return bytes;
}

/** "812 B" or "98.4 KB". */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** The `count` largest fields of a row, largest first: "domain (900.0 KB)". */
export function largestFields(row: Record<string, unknown>, count = 3): string[] {
  return Object.entries(row)
    .map(([key, value]) => ({ key, bytes: jsonBytes(value) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count)
    .map(({ key, bytes }) => `${key} (${formatBytes(bytes)})`);
}
