/**
 * The records of a stand-in Salesforce org and the rules of an sObject
 * Collections upsert: match on the external id (case-insensitive, as External ID
 * text fields are by default), one UpsertResult `{ id, success, errors, created }`
 * per record in request order, allOrNone rollback, required fields on create.
 * The HTTP side is salesforce-stand-in.ts; see its header for what was followed
 * and what assumed.
 */

export interface SalesforceRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A request-level error, as Salesforce lists them: `[{ message, errorCode }]`. */
export interface SalesforceRequestError {
  message: string;
  errorCode: string;
}

export interface UpsertResult {
  id: string | null;
  success: boolean;
  errors: SalesforceRecordError[];
  created?: boolean;
}

export type CollectionAnswer =
  | { status: 200; body: UpsertResult[] }
  | { status: 400; body: SalesforceRequestError[] };

export const MAX_COLLECTION_RECORDS = 200;

/** Fields an insert cannot do without (Lead: LastName and Company; Contact: LastName). */
const REQUIRED_ON_CREATE: Record<string, string[]> = {
  Lead: ["LastName", "Company"],
  Contact: ["LastName"],
};
const ID_PREFIX: Record<string, string> = { Lead: "00Q", Contact: "003", Account: "001" };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface StoredRecord {
  externalId: string;
  fields: Record<string, unknown>;
}

type Outcome =
  | { error: SalesforceRecordError }
  | { key: string; externalId: string; fields: Record<string, unknown> };

export class SalesforceOrg {
  private readonly tables = new Map<string, Map<string, StoredRecord>>();
  private readonly injected = new Map<string, SalesforceRecordError[]>();
  private nextId = 1;

  constructor(readonly externalIdField: string) {}

  /** The next `count` upserts of `externalId` fail with `error`. */
  failRecord(externalId: string, error: SalesforceRecordError, count: number): void {
    const queue = this.injected.get(externalId.toLowerCase()) ?? [];
    for (let i = 0; i < count; i++) queue.push(error);
    this.injected.set(externalId.toLowerCase(), queue);
  }

  records(object: string): Map<string, Record<string, unknown>> {
    const table = this.tables.get(object) ?? new Map<string, StoredRecord>();
    return new Map([...table.values()].map((record) => [record.externalId, { ...record.fields }]));
  }

  upsert(object: string, body: unknown): CollectionAnswer {
    const { allOrNone, records } = (body ?? {}) as { allOrNone?: unknown; records?: unknown };
    if (!Array.isArray(records)) {
      return requestError("JSON_PARSER_ERROR", "The request body needs a `records` list");
    }
    if (records.length > MAX_COLLECTION_RECORDS) {
      return requestError(
        "EXCEEDED_ID_LIMIT",
        `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
      );
    }
    const wrongType = records.find(
      (record) => (record as { attributes?: { type?: unknown } })?.attributes?.type !== object,
    );
    if (wrongType !== undefined) {
      return requestError(
        "INVALID_TYPE",
        `Each record needs attributes.type "${object}", the sObject named in the request URI`,
      );
    }
    const table = this.table(object);
    const keys = records.map((record) =>
      this.externalIdOf(record as Record<string, unknown>)?.toLowerCase(),
    );
    const outcomes = records.map((record, index) =>
      this.check(object, table, record as Record<string, unknown>, keys, index),
    );
    const failed = outcomes.some((outcome) => "error" in outcome);
    if (allOrNone === true && failed) {
      return { status: 200, body: outcomes.map(rolledBack) };
    }
    return { status: 200, body: outcomes.map((outcome) => this.apply(object, table, outcome)) };
  }

  /**
   * An sObject Collections update by id: `{ allOrNone, records: [{ attributes: { type }, id, ...fields }] }`,
   * one SaveResult `{ id, success, errors }` per record in order. An id the org does not have fails
   * with ENTITY_IS_DELETED (assumed: the code Salesforce gives a deleted record).
   */
  update(objects: ReadonlySet<string>, body: unknown): CollectionAnswer {
    const { allOrNone, records } = (body ?? {}) as { allOrNone?: unknown; records?: unknown };
    if (!Array.isArray(records)) {
      return requestError("JSON_PARSER_ERROR", "The request body needs a `records` list");
    }
    if (records.length > MAX_COLLECTION_RECORDS) {
      return requestError(
        "EXCEEDED_ID_LIMIT",
        `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
      );
    }
    type UpdateOutcome =
      | { error: SalesforceRecordError }
      | { found: StoredRecord; fields: Record<string, unknown> };
    const outcomes = (records as Array<Record<string, unknown>>).map((record): UpdateOutcome => {
      const type = (record?.attributes as { type?: unknown } | undefined)?.type;
      if (typeof type !== "string" || !objects.has(type)) {
        return {
          error: {
            statusCode: "INVALID_TYPE",
            message: "sObject type is not supported",
            fields: [],
          },
        };
      }
      const { attributes: _attributes, id, ...fields } = record;
      const found = [...this.table(type).values()].find((stored) => stored.fields.Id === id);
      if (!found) {
        return {
          error: { statusCode: "ENTITY_IS_DELETED", message: "entity is deleted", fields: [] },
        };
      }
      return { found, fields };
    });
    const failed = outcomes.some((outcome) => "error" in outcome);
    return {
      status: 200,
      body: outcomes.map((outcome): UpsertResult => {
        if ("error" in outcome) return { id: null, success: false, errors: [outcome.error] };
        if (allOrNone === true && failed)
          return rolledBack({ key: "", externalId: "", fields: {} });
        Object.assign(outcome.found.fields, outcome.fields);
        return { id: String(outcome.found.fields.Id), success: true, errors: [] };
      }),
    };
  }

  private check(
    object: string,
    table: Map<string, StoredRecord>,
    record: Record<string, unknown>,
    keys: Array<string | undefined>,
    index: number,
  ): Outcome {
    const field = this.externalIdField;
    const externalId = this.externalIdOf(record);
    const key = keys[index];
    if (externalId === undefined || key === undefined) {
      return fail("REQUIRED_FIELD_MISSING", `Required fields are missing: [${field}]`, [field]);
    }
    const injected = this.injected.get(key)?.shift();
    if (injected) return { error: injected };
    if (keys.indexOf(key) !== keys.lastIndexOf(key)) {
      return fail("DUPLICATE_EXTERNAL_ID", `Duplicate external id specified: ${externalId}`, [
        field,
      ]);
    }
    const { attributes: _attributes, ...fields } = record;
    const email = fields.Email;
    if (typeof email === "string" && email !== "" && !EMAIL.test(email)) {
      return fail("INVALID_EMAIL_ADDRESS", `Email: invalid email address: ${email}`, ["Email"]);
    }
    const existing = table.get(key);
    const missing = (REQUIRED_ON_CREATE[object] ?? []).filter((name) => {
      const value = name in fields ? fields[name] : existing?.fields[name];
      return value === undefined || value === null || value === "";
    });
    if (missing.length > 0) {
      return fail(
        "REQUIRED_FIELD_MISSING",
        `Required fields are missing: [${missing.join(", ")}]`,
        missing,
      );
    }
    return { key, externalId, fields };
  }

  private apply(object: string, table: Map<string, StoredRecord>, outcome: Outcome): UpsertResult {
    if ("error" in outcome) return { id: null, success: false, errors: [outcome.error] };
    const existing = table.get(outcome.key);
    if (existing) {
      Object.assign(existing.fields, outcome.fields);
      return { id: String(existing.fields.Id), success: true, errors: [], created: false };
    }
    const id = `${ID_PREFIX[object] ?? "a0X"}${String(this.nextId++).padStart(12, "0")}AAA`;
    table.set(outcome.key, {
      externalId: outcome.externalId,
      fields: { Id: id, ...outcome.fields },
    });
    return { id, success: true, errors: [], created: true };
  }

  private externalIdOf(record: Record<string, unknown>): string | undefined {
    const value = record?.[this.externalIdField];
    return typeof value === "string" && value !== ""
      ? value
      : typeof value === "number"
        ? String(value)
        : undefined;
  }

  private table(object: string): Map<string, StoredRecord> {
    let table = this.tables.get(object);
    if (!table) {
      table = new Map();
      this.tables.set(object, table);
    }
    return table;
  }
}

function fail(statusCode: string, message: string, fields: string[]): Outcome {
  return { error: { statusCode, message, fields } };
}

function rolledBack(outcome: Outcome): UpsertResult {
  if ("error" in outcome) return { id: null, success: false, errors: [outcome.error] };
  return {
    id: null,
    success: false,
    errors: [
      {
        statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        message:
          "Record rolled back because not all records were valid and the request was using AllOrNone header",
        fields: [],
      },
    ],
  };
}

function requestError(errorCode: string, message: string): CollectionAnswer {
  return { status: 400, body: [{ message, errorCode }] };
}
