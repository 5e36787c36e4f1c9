/**
 * The dedupe key: what makes two leads "the same" for the dedupe gate. With
 * `dedupe.key: identity` it is the lead's identity (normalized email, else
 * LinkedIn URL, else name + company); with a list of fields it is their
 * normalized values, and a lead missing one of them falls back to its identity.
 */
import { identityKey, type Lead, normalizeFieldName } from "../core/lead.js";

export type DedupeKeyConfig = "identity" | readonly string[];

/** The key of a validated lead; undefined only for a lead with no identity and no key fields. */
export function dedupeKey(lead: Lead, key: DedupeKeyConfig): string | undefined {
  if (key === "identity") return identityKey(lead);
  const names = key.map(normalizeFieldName);
  const values: string[] = [];
  for (const name of names) {
    const value = lead[name];
    if (value === undefined || value === null) return identityKey(lead);
    values.push(typeof value === "string" ? value.trim().toLowerCase() : String(value));
  }
  // JSON keeps the parts apart whatever characters the values hold.
  return `fields:${JSON.stringify(names)}=${JSON.stringify(values)}`;
}
