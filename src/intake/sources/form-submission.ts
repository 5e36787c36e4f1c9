/**
 * A web form post, read into one lead: urlencoded bodies (what an HTML form
 * sends) or a flat JSON object (what a script sends), mapped through the form's
 * field mapping, with the honeypot checked first.
 */
import type { FormIntakeConfig } from "../../config/source-intake-schema.js";
import { type LeadIssue, normalizeFieldName, validateLead } from "../../core/lead.js";

/** The fields a form posted, by name as the form named them. */
export type FormFields = ReadonlyMap<string, unknown>;

export type FormReading =
  /** The honeypot is filled in: a bot. Answer as a success, store nothing. */
  | { kind: "honeypot" }
  /** The fields to submit as one lead (validated: they pass validateLead). */
  | { kind: "lead"; lead: Record<string, unknown> }
  /** What is wrong, by form field name (`path` "" for the form as a whole). */
  | { kind: "invalid"; issues: LeadIssue[] };

/**
 * `a=1&b=2&b=3` → { a: "1", b: "2, 3" }: a field sent more than once (checkboxes)
 * keeps every value. A Map, so no field name can reach an object's prototype.
 */
export function readUrlencoded(text: string): FormFields {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    const earlier = fields.get(name);
    fields.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return fields;
}

/** A parsed body as form fields: urlencoded fields as they are, a JSON object by its keys. */
export function formFieldsOf(body: unknown): FormFields | undefined {
  if (body instanceof Map) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  return new Map(Object.entries(body));
}

export function readFormSubmission(fields: FormFields, form: FormIntakeConfig): FormReading {
  if (form.honeypot !== undefined && isFilled(fields.get(form.honeypot))) {
    return { kind: "honeypot" };
  }
  // No prototype: a urlencoded field may be named __proto__.
  const lead: Record<string, unknown> = Object.create(null);
  if (form.fields) {
    for (const [leadField, formField] of Object.entries(form.fields)) {
      if (fields.has(formField)) lead[leadField] = fields.get(formField);
    }
  } else {
    for (const [name, value] of fields) if (name !== form.honeypot) lead[name] = value;
  }
  const validation = validateLead(lead);
  if (validation.ok) return { kind: "lead", lead };
  // Built once: looking each issue up among all the fields would take the square of their number.
  let namesByLeadField: Map<string, string> | undefined;
  const formFieldOf = (path: string): string => {
    if (path === "") return "";
    if (form.fields) return form.fields[path] ?? path;
    if (!namesByLeadField) {
      namesByLeadField = new Map();
      for (const name of fields.keys()) {
        const leadField = normalizeFieldName(name);
        if (!namesByLeadField.has(leadField)) namesByLeadField.set(leadField, name);
      }
    }
    return namesByLeadField.get(path) ?? path;
  };
  return {
    kind: "invalid",
    issues: validation.issues.map((issue) => ({ ...issue, path: formFieldOf(issue.path) })),
  };
}

function isFilled(value: unknown): boolean {
  return value !== undefined && value !== null && String(value).trim() !== "";
}
