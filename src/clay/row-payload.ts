/**
 * The Clay row: one flat JSON object per request, every key a field. It carries
 * the lead's fields, the claypipe_id that matches the enriched row back to the
 * lead, and the callback_url Clay's HTTP API column posts to. It is serialized
 * once and size-checked before anything is sent: Clay refuses bodies over 100 KB.
 */
import { ClaypipeError } from "../core/errors.js";
import { type Lead, RESERVED_FIELDS } from "../core/lead.js";
import { formatBytes, largestFields, MAX_ROW_BYTES } from "../core/row-size.js";

export { MAX_ROW_BYTES };

export interface ClayRowOptions {
  claypipeId: string;
  /** The signed callback URL; omitted when results are not called back. */
  callbackUrl?: string;
}

export interface ClayRow {
  /** The JSON text to post, exactly as measured. */
  body: string;
  /** UTF-8 size of `body`. */
  bytes: number;
}

/** Builds and serializes the row; throws a `payload_too_large` ClaypipeError over MAX_ROW_BYTES. */
export function buildClayRow(lead: Lead, options: ClayRowOptions): ClayRow {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lead)) {
    if (!(RESERVED_FIELDS as readonly string[]).includes(key)) row[key] = value;
  }
  row.claypipe_id = options.claypipeId;
  if (options.callbackUrl !== undefined) row.callback_url = options.callbackUrl;

  const body = JSON.stringify(row);
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > MAX_ROW_BYTES) {
    throw new ClaypipeError(
      "payload_too_large",
      `lead ${options.claypipeId} makes a Clay row of ${formatBytes(bytes)}, over Clay's limit of ${formatBytes(MAX_ROW_BYTES)}`,
      { hint: `shorten or drop its largest fields: ${largestFields(row).join(", ")}` },
    );
  }
  return { body, bytes };
}
