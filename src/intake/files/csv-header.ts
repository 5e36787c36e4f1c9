/**
 * The header line of a lead CSV: its names become lead fields (normalized the
 * way every lead's fields are), and a header that cannot work is refused
 * before any row is read — duplicate names, or no column to identify a person.
 */
import { ClaypipeError } from "../../core/errors.js";
import { normalizeFieldName } from "../../core/lead.js";

export const EXAMPLE_HEADER = "email,first_name,last_name,company";

/** Field names by column; "" for a column without a name, whose values are ignored. */
export function readCsvHeader(names: string[], line: number): string[] {
  const fields = names.map(normalizeFieldName);
  const firstColumn = new Map<string, number>();
  for (const [index, field] of fields.entries()) {
    if (field === "") continue;
    const earlier = firstColumn.get(field);
    if (earlier !== undefined) {
      throw new ClaypipeError(
        "input_invalid",
        `line ${line}: columns ${earlier + 1} ("${names[earlier]}") and ${index + 1} ("${names[index]}") are both the field "${field}"`,
        { hint: "rename or remove one of them, so each value has one place to go" },
      );
    }
    firstColumn.set(field, index);
  }
  if (!canIdentifyPerson(new Set(fields))) {
    if (names.some((name) => name.includes("@"))) {
      throw new ClaypipeError(
        "input_invalid",
        `line ${line} looks like a lead, not a header line`,
        {
          hint: `add a header line naming the columns first, such as ${EXAMPLE_HEADER}`,
        },
      );
    }
    throw new ClaypipeError(
      "input_invalid",
      `line ${line}: the header has no column to identify a person by (columns: ${describeColumns(names)})`,
      { hint: identityHint(fields) },
    );
  }
  return fields;
}

/** Mirrors `identityKey` in core/lead.ts: the columns a row needs to be a lead at all. */
function canIdentifyPerson(fields: Set<string>): boolean {
  if (fields.has("email") || fields.has("linkedin_url")) return true;
  const hasName = fields.has("full_name") || fields.has("first_name") || fields.has("last_name");
  return hasName && (fields.has("company") || fields.has("domain"));
}

function identityHint(fields: string[]): string {
  const near = fields.find((field) => field.includes("email") || field.includes("linkedin"));
  const rename = near
    ? `rename "${near}" to "${near.includes("email") ? "email" : "linkedin_url"}", or `
    : "";
  return `${rename}add an email column, a linkedin_url column, or a name (full_name, or first_name and last_name) with company or domain — e.g. ${EXAMPLE_HEADER}`;
}

function describeColumns(names: string[]): string {
  const shown = names.slice(0, 8).map((name) => JSON.stringify(name));
  return names.length > 8 ? `${shown.join(", ")}, …` : shown.join(", ");
}
