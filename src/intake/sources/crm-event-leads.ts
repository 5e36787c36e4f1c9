/**
 * Generic CRM events (a Salesforce Flow HTTP callout, a HubSpot workflow
 * webhook, any outbound call that posts JSON) read into leads: the body is one
 * event or a list of them, optionally wrapped (`eventsPath`), and each event
 * becomes a lead through the field mapping (lead field ← dot path). Problems
 * name the event's own path (`Contact.Email`), which is what its sender knows.
 */
import type { CrmIntakeConfig } from "../../config/source-intake-schema.js";
import { type LeadIssue, validateLead } from "../../core/lead.js";
import { readPath } from "./json-path.js";

export type CrmEventList =
  | { ok: true; events: unknown[] }
  | { ok: false; error: "invalid_body" | "no_events"; message: string; hint: string };

export type CrmEventLead =
  | { ok: true; lead: Record<string, unknown> }
  | { ok: false; issues: LeadIssue[] };

export function readCrmEvents(
  body: unknown,
  eventsPath: CrmIntakeConfig["eventsPath"],
): CrmEventList {
  const found = eventsPath === undefined ? body : readPath(body, eventsPath);
  if (found === undefined && eventsPath !== undefined) {
    return {
      ok: false,
      error: "invalid_body",
      message: `The body has nothing at "${eventsPath}" (the source's crm.eventsPath).`,
      hint: `Send the events under "${eventsPath}", or change crm.eventsPath to where they are.`,
    };
  }
  if (typeof found !== "object" || found === null) {
    return {
      ok: false,
      error: "invalid_body",
      message: "The events must be a JSON object (one event) or a list of objects.",
      hint: "Send the event as a JSON object, or several as a JSON array of objects.",
    };
  }
  const events = Array.isArray(found) ? found : [found];
  if (events.length === 0) {
    return {
      ok: false,
      error: "no_events",
      message: "The list of events is empty.",
      hint: "Send at least one event.",
    };
  }
  return { ok: true, events };
}

export function crmEventToLead(event: unknown, fields: CrmIntakeConfig["fields"]): CrmEventLead {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return { ok: false, issues: [{ path: "", reason: "an event must be a JSON object" }] };
  }
  if (fields === undefined) {
    const validation = validateLead(event);
    return validation.ok ? { ok: true, lead: event as Record<string, unknown> } : validation;
  }
  const lead: Record<string, unknown> = {};
  const issues: LeadIssue[] = [];
  for (const [leadField, path] of Object.entries(fields)) {
    const value = readPath(event, path);
    if (typeof value === "object" && value !== null) {
      issues.push({
        path,
        reason: `is ${Array.isArray(value) ? "a list" : "an object"}, not a single value: map ${leadField} to a path that ends at a text or number (e.g. ${path}.<key>)`,
      });
    } else if (value !== undefined) {
      lead[leadField] = value;
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const validation = validateLead(lead);
  if (validation.ok) return { ok: true, lead };
  return {
    ok: false,
    issues: validation.issues.map((issue) => {
      if (issue.path === "") {
        const paths = Object.values(fields).join(", ");
        return { path: "", reason: `${issue.reason}; the mapping reads ${paths}` };
      }
      const path = fields[issue.path];
      return path === undefined
        ? issue
        : { path, reason: `${issue.reason} (lead field ${issue.path})` };
    }),
  };
}
