/**
 * The contacts of a stand-in HubSpot portal and the rules of the CRM v3 batch
 * upsert: inputs `{ idProperty: "email", id, properties }`, matched by email
 * case-insensitively (HubSpot stores emails in lowercase), all-or-nothing
 * validation, values stored as strings, one answer per input. The HTTP side is
 * hubspot-stand-in.ts; see its header for what was followed and what assumed.
 */
import { randomUUID } from "node:crypto";

/** HubSpot's error body: every field but status and message is optional in practice. */
export interface HubspotErrorBody {
  status: "error";
  message: string;
  correlationId: string;
  category: string;
  context?: Record<string, string[]>;
  errors?: Array<{ message: string; context?: Record<string, string[]> }>;
  policyName?: string;
  errorType?: string;
}

export interface StoredContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export type UpsertAnswer = { status: 200; body: unknown } | { status: 400; body: HubspotErrorBody };

/** Properties a GET returns when the caller names none, as HubSpot documents for contacts. */
const DEFAULT_READ_PROPERTIES = [
  "createdate",
  "email",
  "firstname",
  "hs_object_id",
  "lastmodifieddate",
  "lastname",
];

export const MAX_BATCH_INPUTS = 100;
// HubSpot validates email syntax on write; this is the plain shape it accepts.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function hubspotError(
  category: string,
  message: string,
  extra: Partial<HubspotErrorBody> = {},
): HubspotErrorBody {
  return { status: "error", message, correlationId: randomUUID(), category, ...extra };
}

interface UpsertInput {
  email: string;
  properties: Record<string, string>;
}

export class HubspotPortal {
  private readonly byEmail = new Map<string, StoredContact>();
  private readonly byId = new Map<string, StoredContact>();
  private nextId = 1001;

  /** `knownProperties` undefined: the portal accepts any property name. */
  constructor(private readonly knownProperties: ReadonlySet<string> | undefined) {}

  upsert(body: unknown): UpsertAnswer {
    const parsed = this.parseInputs(body);
    if ("problem" in parsed) return { status: 400, body: parsed.problem };
    const now = new Date().toISOString();
    const results = parsed.inputs.map((input) => {
      const existing = this.byEmail.get(input.email);
      const contact = existing ?? this.create(input.email, now);
      Object.assign(contact.properties, input.properties, {
        email: input.email,
        lastmodifieddate: now,
      });
      contact.updatedAt = now;
      return { ...this.view(contact, "all"), new: existing === undefined };
    });
    return {
      status: 200,
      body: { status: "COMPLETE", results, startedAt: now, completedAt: new Date().toISOString() },
    };
  }

  /**
   * A batch update by record id: `{ inputs: [{ id, properties }] }`. Ids the portal does not have
   * are answered 207 with one OBJECT_NOT_FOUND error listing them in `context.ids` (as batch read
   * does); the others are written. Bad property values or a repeated id refuse the whole batch.
   */
  update(body: unknown): { status: 200 | 207 | 400; body: unknown } {
    const inputs = (body as { inputs?: unknown } | null)?.inputs;
    if (!Array.isArray(inputs) || inputs.length > MAX_BATCH_INPUTS) {
      return {
        status: 400,
        body: hubspotError(
          "VALIDATION_ERROR",
          `Invalid input JSON: \`inputs\` must be an array of at most ${MAX_BATCH_INPUTS} { id, properties }`,
        ),
      };
    }
    const parsed: Array<{ id: string; properties: Record<string, string> }> = [];
    const invalid: Array<Record<string, unknown>> = [];
    for (const input of inputs as Array<{ id?: unknown; properties?: unknown }>) {
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries((input?.properties ?? {}) as object)) {
        if (this.knownProperties && !this.knownProperties.has(name)) {
          invalid.push(
            propertyProblem(name, "PROPERTY_DOESNT_EXIST", `Property "${name}" does not exist`),
          );
        } else properties[name] = value === null || value === undefined ? "" : String(value);
      }
      parsed.push({ id: String(input?.id), properties });
    }
    const duplicates = findDuplicates(parsed.map((input) => input.id));
    if (duplicates.length > 0) {
      return {
        status: 400,
        body: hubspotError(
          "VALIDATION_ERROR",
          `Duplicate IDs found in batch input: [${duplicates.join(", ")}]. IDs must be unique`,
          { context: { ids: duplicates } },
        ),
      };
    }
    if (invalid.length > 0) {
      return {
        status: 400,
        body: hubspotError(
          "VALIDATION_ERROR",
          `Property values were not valid: ${JSON.stringify(invalid)}`,
        ),
      };
    }
    const startedAt = new Date().toISOString();
    const results = [];
    const missing: string[] = [];
    for (const input of parsed) {
      const contact = this.byId.get(input.id);
      if (!contact) {
        missing.push(input.id);
        continue;
      }
      Object.assign(contact.properties, input.properties, { lastmodifieddate: startedAt });
      contact.updatedAt = startedAt;
      results.push(this.view(contact, "all"));
    }
    const answer = {
      status: "COMPLETE",
      results,
      startedAt,
      completedAt: new Date().toISOString(),
    };
    if (missing.length === 0) return { status: 200, body: answer };
    const notFound = hubspotError(
      "OBJECT_NOT_FOUND",
      "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
      { context: { ids: missing } },
    );
    return { status: 207, body: { ...answer, numErrors: 1, errors: [notFound] } };
  }

  /** Contacts with their record ids, by lowercase email. */
  contactIds(): Map<string, string> {
    return new Map([...this.byEmail].map(([email, contact]) => [email, contact.id] as const));
  }

  /** One contact by record id, or by email when `idProperty` is "email". */
  read(id: string, idProperty: string | undefined, properties: string[] | undefined) {
    const contact =
      idProperty === "email" ? this.byEmail.get(id.trim().toLowerCase()) : this.byId.get(id);
    return contact ? this.view(contact, properties) : undefined;
  }

  contacts(): Map<string, Record<string, string>> {
    return new Map(
      [...this.byEmail].map(([email, contact]) => [email, { ...contact.properties }] as const),
    );
  }

  private create(email: string, now: string): StoredContact {
    const id = String(this.nextId++);
    const contact: StoredContact = {
      id,
      properties: { hs_object_id: id, createdate: now },
      createdAt: now,
      updatedAt: now,
    };
    this.byEmail.set(email, contact);
    this.byId.set(id, contact);
    return contact;
  }

  /** The record as HubSpot shows it: the named properties, the default set, or "all" (upsert answers). */
  private view(contact: StoredContact, properties: string[] | "all" | undefined) {
    const names =
      properties === "all"
        ? Object.keys(contact.properties)
        : (properties ?? DEFAULT_READ_PROPERTIES);
    const selected = Object.fromEntries(
      names
        .filter((name) => name in contact.properties)
        .map((name) => [name, contact.properties[name]]),
    );
    return {
      id: contact.id,
      properties: selected,
      createdAt: contact.createdAt,
      updatedAt: contact.updatedAt,
      archived: false,
    };
  }

  private parseInputs(body: unknown): { inputs: UpsertInput[] } | { problem: HubspotErrorBody } {
    const inputs = (body as { inputs?: unknown } | null)?.inputs;
    if (!Array.isArray(inputs)) {
      return {
        problem: hubspotError("VALIDATION_ERROR", "Invalid input JSON: `inputs` must be an array"),
      };
    }
    if (inputs.length > MAX_BATCH_INPUTS) {
      return {
        problem: hubspotError(
          "VALIDATION_ERROR",
          `Batch input size ${inputs.length} exceeds the limit of ${MAX_BATCH_INPUTS} inputs`,
        ),
      };
    }
    const parsed: UpsertInput[] = [];
    const invalid: Array<Record<string, unknown>> = [];
    for (const input of inputs as Array<Record<string, unknown>>) {
      if (input?.idProperty !== "email" || typeof input.id !== "string") {
        return {
          problem: hubspotError(
            "VALIDATION_ERROR",
            'Each input needs `id` (an email) and `idProperty: "email"`; this stand-in upserts contacts by email only',
          ),
        };
      }
      const email = input.id.trim().toLowerCase();
      if (!EMAIL.test(email)) {
        invalid.push(
          propertyProblem("email", "INVALID_EMAIL", `Email address ${input.id} is invalid`),
        );
      }
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries(
        (input.properties ?? {}) as Record<string, unknown>,
      )) {
        if (this.knownProperties && !this.knownProperties.has(name)) {
          invalid.push(
            propertyProblem(name, "PROPERTY_DOESNT_EXIST", `Property "${name}" does not exist`),
          );
          continue;
        }
        properties[name] = value === null || value === undefined ? "" : String(value);
      }
      parsed.push({ email, properties });
    }
    const duplicates = findDuplicates(parsed.map((input) => input.email));
    if (duplicates.length > 0) {
      return {
        problem: hubspotError(
          "VALIDATION_ERROR",
          `Duplicate IDs found in batch input: [${duplicates.join(", ")}]. IDs must be unique`,
          { context: { ids: duplicates } },
        ),
      };
    }
    if (invalid.length > 0) {
      return {
        problem: hubspotError(
          "VALIDATION_ERROR",
          `Property values were not valid: ${JSON.stringify(invalid)}`,
        ),
      };
    }
    return { inputs: parsed };
  }
}

function propertyProblem(name: string, error: string, message: string): Record<string, unknown> {
  return { isValid: false, message, error, name, localizedErrorMessage: message };
}

function findDuplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) duplicates.add(value);
    seen.add(value);
  }
  return [...duplicates];
}
