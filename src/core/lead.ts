/**
 * Glossary.
 * - lead: one person to enrich, as a flat record of fields (Clay rows are flat).
 * - identity: what makes two leads the same person (normalized email first).
 * - claypipe_id: the id claypipe gives a lead; it travels in the Clay row so the
 *   enriched row can be matched back.
 */
import { z } from "zod";
import { echoInput } from "./echo-input.js";
import {
  flatJsonBytesAtMost,
  formatBytes,
  jsonBytes,
  largestFields,
  MAX_ROW_BYTES,
  ROW_ROOM_BYTES,
} from "./row-size.js";
import { cutAtFirstOf, trimChar, trimEndChar } from "./text-scan.js";

export type FieldValue = string | number | boolean | null;
export type Lead = Record<string, FieldValue>;

export interface LeadIssue {
  /** The field at fault, e.g. "email"; "" for the lead as a whole. */
  path: string;
  reason: string;
}

export type LeadValidation = { ok: true; lead: Lead } | { ok: false; issues: LeadIssue[] };

/** Fields claypipe writes into every Clay row; input values for them are ignored. */
export const RESERVED_FIELDS = ["claypipe_id", "callback_url"] as const;

// The pattern z.email() checks, tested directly: the same rule without a parse result per lead.
const EMAIL = z.regexes.email;
/** The longest email address SMTP carries (RFC 5321's path limit, less the brackets). */
const MAX_EMAIL_LENGTH = 254;
// A name that normalization would leave as it is; most incoming names already are.
const NORMALIZED_NAME = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/**
 * "First Name", "first-name" and "firstName" all become "first_name". Every
 * step takes one pass over the name (no pattern that can backtrack).
 */
export function normalizeFieldName(name: string): string {
  if (NORMALIZED_NAME.test(name)) return name;
  const snake = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_");
  return trimChar(snake, "_");
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** "https://www.Acme.com/about" → "acme.com"; one pass over the value. */
export function normalizeDomain(domain: string): string {
  let text = domain.trim().toLowerCase();
  const scheme = text.indexOf("://");
  if (scheme > 0 && isLetters(text.slice(0, scheme))) text = text.slice(scheme + 3);
  if (text.startsWith("www.")) text = text.slice(4);
  return cutAtFirstOf(text, "/?#");
}

function isLetters(text: string): boolean {
  for (const char of text) if (char < "a" || char > "z") return false;
  return true;
}

function isFlatValue(value: unknown): value is FieldValue {
  const type = typeof value;
  return value === null || type === "string" || type === "number" || type === "boolean";
}

/** Checks and normalizes one incoming lead; never throws. */
export function validateLead(input: unknown): LeadValidation {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: "", reason: "a lead must be a JSON object of fields" }] };
  }
  const issues: LeadIssue[] = [];
  const lead: Lead = {};
  for (const [rawKey, value] of Object.entries(input)) {
    const key = normalizeFieldName(rawKey);
    if (key === "" || (RESERVED_FIELDS as readonly string[]).includes(key)) continue;
    if (!isFlatValue(value)) {
      issues.push({
        path: echoInput(rawKey),
        reason: "nested values are not allowed: Clay rows are flat, so flatten it or send a string",
      });
      continue;
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      issues.push({ path: echoInput(rawKey), reason: "must be a finite number" });
      continue;
    }
    const trimmed = typeof value === "string" ? value.trim() : value;
    if (trimmed === "" || trimmed === null) continue;
    lead[key] = trimmed;
  }

  if (lead.email !== undefined) {
    const email = normalizeEmail(String(lead.email));
    if (email.length > MAX_EMAIL_LENGTH) {
      issues.push({
        path: "email",
        reason: `is ${email.length} characters long: an email address has at most ${MAX_EMAIL_LENGTH} (RFC 5321)`,
      });
    } else if (EMAIL.test(email)) lead.email = email;
    else
      issues.push({ path: "email", reason: `"${echoInput(email)}" is not a valid email address` });
  }
  if (lead.domain !== undefined) lead.domain = normalizeDomain(String(lead.domain));
  if (lead.linkedin_url !== undefined && !/linkedin\.com\//i.test(String(lead.linkedin_url))) {
    issues.push({ path: "linkedin_url", reason: "must be a linkedin.com profile URL" });
  }
  const rowBytes = flatJsonBytesAtMost(lead) + ROW_ROOM_BYTES > MAX_ROW_BYTES ? jsonBytes(lead) : 0;
  if (rowBytes + ROW_ROOM_BYTES > MAX_ROW_BYTES) {
    const [largest] = Object.entries(lead).sort((a, b) => jsonBytes(b[1]) - jsonBytes(a[1]));
    issues.push({
      path: echoInput(largest?.[0] ?? ""),
      reason: `the lead makes a Clay row of ${formatBytes(rowBytes)}, over Clay's limit of ${formatBytes(MAX_ROW_BYTES)} (with ${formatBytes(ROW_ROOM_BYTES)} kept for claypipe's fields): shorten or drop its largest fields, ${largestFields(lead).join(", ")}`,
    });
  }
  if (issues.length === 0 && identityKey(lead) === undefined) {
    issues.push({
      path: "",
      reason: "needs an email, a linkedin_url, or a name with a company or domain to be enriched",
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, lead };
}

const LINKEDIN_HOST = "linkedin.com/";

/** The key that says two leads are the same person, or undefined when the lead has none. */
export function identityKey(lead: Lead): string | undefined {
  if (typeof lead.email === "string") return `email:${lead.email}`;
  if (typeof lead.linkedin_url === "string") {
    const url = lead.linkedin_url.toLowerCase();
    const host = url.lastIndexOf(LINKEDIN_HOST);
    const path = host === -1 ? url : url.slice(host + LINKEDIN_HOST.length);
    return `linkedin:${trimEndChar(path, "/")}`;
  }
  const name = [lead.full_name ?? [lead.first_name, lead.last_name].filter(Boolean).join(" ")]
    .join("")
    .trim()
    .toLowerCase();
  const org = lead.domain ?? lead.company;
  if (name && org !== undefined) return `name:${name}|${String(org).toLowerCase()}`;
  return undefined;
}

/** One line for a person: "email: "x" is not a valid email address; …". */
export function describeLeadIssues(issues: readonly LeadIssue[]): string {
  return issues.map((issue) => `${issue.path || "lead"}: ${issue.reason}`).join("; ");
}
