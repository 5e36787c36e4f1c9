/** Fields several topics share, checked the same way everywhere. */
import { z } from "zod";

// One line of header-safe text: the lead id travels as ce_subject and in message ids.
export const leadIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "expected a claypipe lead id")
  .describe("claypipe's id of the lead (claypipe_id, a UUIDv7)");

/** The config's workspace, table and source names. */
export const configNameSchema = z
  .string()
  .max(100)
  // Without the i flag, so the JSON Schema pattern says the same.
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, - and _ only");

export const identitySchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\r\n\0]*$/, "one line of text")
  .describe(
    'the lead\'s identity, its dedupe key: "email:ada@acme.com", "linkedin:in/ada", "name:ada lovelace|acme.com"',
  );

export const eventTimeSchema = z.iso.datetime({ offset: true });

/** Which send of the lead; 1 for the first. */
export const attemptSchema = z.number().int().min(1).max(1_000_000);

/** `text` cut to `max` characters (a trailing "…" marks the cut), so a long reason never blocks a publish. */
export function boundText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
