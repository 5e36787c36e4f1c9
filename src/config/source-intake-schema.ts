/**
 * How a source takes leads from outside besides `POST /v1/leads`: each kind is
 * an optional block on a source (`sources[].form`, `.hubspot`, `.crm`), served
 * by the HTTP server of every tier that has one.
 *
 * Glossary.
 * - field mapping: `{ lead_field: "their field" }`, read "lead field ← their field".
 * - origin: `scheme://host[:port]` of the page a browser posted from.
 */
import { z } from "zod";
import { normalizeFieldName } from "../core/lead.js";
import { durationSchema } from "./duration-schema.js";

const NAME = /^[a-z0-9][a-z0-9_-]*$/i;
const NAME_RULE = "letters, digits, - and _ only";

/**
 * A mapping `{ lead_field: source }`. Lead fields are written as leads carry them
 * after normalization, so a mapping never names a field that cannot exist.
 */
function fieldMapping(source: z.ZodString) {
  return z.record(z.string(), source).superRefine((mapping, ctx) => {
    for (const key of Object.keys(mapping)) {
      if (normalizeFieldName(key) === key && key !== "") continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `"${key}" is not a lead field name: write it as ${normalizeFieldName(key) || "a word"} (lowercase words joined by _)`,
      });
    }
  });
}

const origin = z.string().transform((value, ctx) => {
  const normalized = value === "*" ? value : bareOrigin(value);
  if (normalized === undefined) {
    ctx.addIssue({
      code: "custom",
      message:
        'expected an origin like "https://www.acme.com" (scheme, host and port only, no path), or "*" for any',
    });
    return z.NEVER;
  }
  return normalized;
});

/** "https://WWW.Acme.com/" → "https://www.acme.com"; undefined for anything with a path or not http(s). */
function bareOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    const bare = url.pathname === "/" && url.search === "" && url.hash === "";
    return bare && ["http:", "https:"].includes(url.protocol) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const ORIGINS_REQUIRED =
  'required: list the origins of the pages that post the form, or ["*"] to take posts from anywhere';

export const formIntakeSchema = z
  .object({
    /** The form's id in `POST /v1/forms/:formId`. @defaultValue the source's name */
    id: z.string().regex(NAME, NAME_RULE).optional(),
    /**
     * Lead field ← form field. Without it every form field but the honeypot is
     * taken, its name normalized ("First Name" → first_name).
     */
    fields: fieldMapping(z.string().min(1))
      .refine((mapping) => Object.keys(mapping).length > 0, "map at least one field")
      .optional(),
    /**
     * Origins whose pages may post, checked on `Origin` (else `Referer`).
     * Required, so an open form is a choice: `["*"]` takes any origin.
     */
    allowedOrigins: z
      .array(origin, {
        error: (issue) => (issue.input === undefined ? ORIGINS_REQUIRED : undefined),
      })
      .min(1, ORIGINS_REQUIRED),
    /** A field people never see (hidden by CSS); filled in, the post is answered as a success and dropped. */
    honeypot: z.string().min(1).optional(),
    /**
     * Answers a browser's urlencoded post with a 303 to `success`, or to `error`
     * with `?error=<code>&field=<form field>`. JSON posts always get JSON.
     */
    redirect: z.object({ success: z.url(), error: z.url().optional() }).strict().optional(),
  })
  .strict();

/** HubSpot webhook subscription types that can bring a new or changed contact. */
export const HUBSPOT_CONTACT_EVENTS = [
  "contact.creation",
  "contact.propertyChange",
  "contact.restore",
  "object.creation",
  "object.propertyChange",
  "object.restore",
] as const;

/** Lead field ← HubSpot contact property, when `properties` is not given. */
export const DEFAULT_HUBSPOT_PROPERTIES: Readonly<Record<string, string>> = {
  email: "email",
  first_name: "firstname",
  last_name: "lastname",
  company: "company",
  title: "jobtitle",
  domain: "website",
  country: "country",
};

export const hubspotIntakeSchema = z
  .object({
    /** The HubSpot app's client secret, which signs its webhooks (v3); from the environment only. */
    clientSecret: z.string().min(1),
    /** Token with crm.objects.contacts.read, to read the contacts events name; from the environment only. */
    accessToken: z.string().min(1),
    /**
     * The app's webhook target URL exactly as HubSpot calls it: it is part of
     * what HubSpot signs, and a proxy changes the URL the server sees.
     * @defaultValue callbacks.baseUrl + "/v1/hubspot/" + the source's name
     */
    targetUrl: z.url().optional(),
    /** @defaultValue "https://api.hubapi.com" */
    apiBaseUrl: z.url().default("https://api.hubapi.com"),
    /**
     * Subscription types that become leads; others are acknowledged and skipped.
     * @defaultValue ["contact.creation", "object.creation"]
     */
    events: z
      .array(z.enum(HUBSPOT_CONTACT_EVENTS))
      .min(1)
      .default(["contact.creation", "object.creation"]),
    /** Lead field ← contact property. @defaultValue DEFAULT_HUBSPOT_PROPERTIES */
    properties: fieldMapping(z.string().min(1))
      .refine((mapping) => Object.keys(mapping).length > 0, "map at least one property")
      .optional(),
    /**
     * Time allowed to read a batch's contacts, retries included. HubSpot waits 5 s
     * for an answer; past this, claypipe answers 503 and HubSpot sends the batch again.
     * @defaultValue "3s"
     */
    readTimeout: durationSchema.default(3000),
  })
  .strict();

/** `Contact.Email`, `records.0.Email`: object keys and list indexes joined by dots. */
const jsonPath = z
  .string()
  .regex(/^[^.]+(\.[^.]+)*$/, "a dot path like Contact.Email (keys joined by dots, no empty part)");

export const crmIntakeSchema = z
  .object({
    /** Shared with the sender; at least 16 characters; from the environment only. */
    secret: z.string().min(16, "use at least 16 random characters (e.g. `openssl rand -hex 24`)"),
    /**
     * The header carrying the secret: "authorization" takes `Bearer <secret>`,
     * any other header the secret as it is. @defaultValue "authorization"
     */
    secretHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/i, "an HTTP header name")
      .transform((name) => name.toLowerCase())
      .default("authorization"),
    /** Where the events are when the body wraps them (`records`); the body itself when absent. */
    eventsPath: jsonPath.optional(),
    /** Lead field ← dot path in each event. Without it each event is taken as a flat lead. */
    fields: fieldMapping(jsonPath)
      .refine((mapping) => Object.keys(mapping).length > 0, "map at least one field")
      .optional(),
  })
  .strict();

export type FormIntakeConfig = z.output<typeof formIntakeSchema>;
export type HubspotIntakeConfig = z.output<typeof hubspotIntakeSchema>;
export type CrmIntakeConfig = z.output<typeof crmIntakeSchema>;
