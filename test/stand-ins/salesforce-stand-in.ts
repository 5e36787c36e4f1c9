/**
 * A local stand-in for Salesforce's REST API sObject Collections upsert, for tests
 * of the Salesforce sink. Its url plays the org's instance URL.
 *
 * Followed (developer.salesforce.com, REST API guide, "Upsert Records Using sObject Collections"):
 * - `PATCH /services/data/vXX.X/composite/sobjects/{SObjectName}/{ExternalIdFieldName}`, API version
 *   46.0 and later, `Authorization: Bearer <token>`.
 * - Body `{ allOrNone, records: [{ attributes: { type }, ...fields }] }`; at most 200 records, all of
 *   the type in the URI; allOrNone defaults to false.
 * - A well-formed request gets 200 and one UpsertResult `{ id, success, errors, created }` per record,
 *   in request order; errors are `{ statusCode, message, fields }`; created tells insert from update.
 *   With allOrNone, one failure rolls everything back (ALL_OR_NONE_OPERATION_ROLLED_BACK).
 * - A request that is not well formed gets 400 with `[{ message, errorCode }]`; an expired or bad
 *   token gets 401 `[{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]`.
 * - Lead requires LastName and Company on insert, Contact LastName (REQUIRED_FIELD_MISSING).
 * - Update: `PATCH /services/data/vXX.X/composite/sobjects`, body `{ allOrNone, records: [{ attributes:
 *   { type }, id, ...fields }] }`, at most 200 records, one SaveResult `{ id, success, errors }` per
 *   record in request order ("Update Records Using sObject Collections").
 * - `GET /services/data/vXX.X/limits` ("Limits", API 29.0 and later): the org's limits, each
 *   `{ Max, Remaining }` (only DailyApiRequests here); a bad token gets the 401 above.
 * Assumed (not documented for collections): an update naming an id the org does not have fails that
 * record with ENTITY_IS_DELETED; over 200 records → 400 EXCEEDED_ID_LIMIT "record limit
 * reached…"; an unknown external id field → 404 NOT_FOUND "Provided external ID field does not exist
 * or is not accessible: …" (the single-record upsert's answer); an unknown sObject → 404 NOT_FOUND;
 * a record of another type → 400 INVALID_TYPE; duplicate external ids in one request →
 * DUPLICATE_EXTERNAL_ID on each; a bad Email → INVALID_EMAIL_ADDRESS; external id values match
 * case-insensitively; any field name is accepted (a real org refuses unknown ones with INVALID_FIELD);
 * no API request limits.
 */
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { SalesforceOrg, type SalesforceRecordError } from "./salesforce-org.js";

export interface SalesforceStandInOptions {
  /** The OAuth access token the stand-in accepts. */
  token: string;
  /** sObjects the org has. @defaultValue ["Lead", "Contact"] */
  objects?: string[];
  /** The External ID field every object has. @defaultValue "Claypipe_Id__c" */
  externalIdField?: string;
}

export interface SalesforceStandIn {
  /** The instance URL. */
  url: string;
  /** The records of one sObject, by external id value. */
  records(object: string): Map<string, Record<string, unknown>>;
  /** Requests received, faulted and refused ones included. */
  readonly requests: number;
  /** Answers the next `count` requests with `status` and Salesforce's error body for it. */
  failNext(status: number, count?: number): void;
  /** The next `count` upserts of the record with this external id fail with `error`. */
  failRecord(
    externalId: string,
    error: { statusCode: string; message: string; fields?: string[] },
    count?: number,
  ): void;
  close(): Promise<void>;
}

const NOT_FOUND = [{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }];

export async function startSalesforceStandIn(
  options: SalesforceStandInOptions,
): Promise<SalesforceStandIn> {
  const objects = new Set(options.objects ?? ["Lead", "Contact"]);
  const org = new SalesforceOrg(options.externalIdField ?? "Claypipe_Id__c");
  const faults: number[] = [];
  let requests = 0;

  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send([{ message: error.message, errorCode: "JSON_PARSER_ERROR" }]);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(NOT_FOUND));

  app.get<{ Params: { version: string } }>("/services/data/:version/limits", (request, reply) => {
    requests += 1;
    const fault = faults.shift();
    if (fault !== undefined) return reply.code(fault).send(faultBody(fault));
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return reply.code(401).send(faultBody(401));
    }
    const major = /^v(\d+)\.\d$/.exec(request.params.version)?.[1];
    if (major === undefined || Number(major) < 29) return reply.code(404).send(NOT_FOUND);
    return reply.send({ DailyApiRequests: { Max: 15_000, Remaining: 15_000 - requests } });
  });

  app.patch<{ Params: { version: string } }>(
    "/services/data/:version/composite/sobjects",
    (request, reply) => {
      requests += 1;
      const fault = faults.shift();
      if (fault !== undefined) return reply.code(fault).send(faultBody(fault));
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        return reply.code(401).send(faultBody(401));
      }
      if (!/^v\d+\.\d$/.test(request.params.version)) return reply.code(404).send(NOT_FOUND);
      const answer = org.update(objects, request.body);
      return reply.code(answer.status).send(answer.body);
    },
  );

  app.patch<{ Params: { version: string; object: string; field: string } }>(
    "/services/data/:version/composite/sobjects/:object/:field",
    (request, reply) => {
      requests += 1;
      const { version, object, field } = request.params;
      const fault = faults.shift();
      if (fault !== undefined) return reply.code(fault).send(faultBody(fault));
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        return reply.code(401).send(faultBody(401));
      }
      const major = /^v(\d+)\.\d$/.exec(version)?.[1];
      if (major === undefined || Number(major) < 46 || !objects.has(object)) {
        return reply.code(404).send(NOT_FOUND);
      }
      if (field.toLowerCase() !== org.externalIdField.toLowerCase()) {
        return reply.code(404).send([
          {
            errorCode: "NOT_FOUND",
            message: `Provided external ID field does not exist or is not accessible: ${field}`,
          },
        ]);
      }
      const answer = org.upsert(object, request.body);
      return reply.code(answer.status).send(answer.body);
    },
  );

  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records: (object) => org.records(object),
    get requests() {
      return requests;
    },
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) faults.push(status);
    },
    failRecord(externalId, error, count = 1) {
      const recordError: SalesforceRecordError = { fields: [], ...error };
      org.failRecord(externalId, recordError, count);
    },
    close: () => app.close(),
  };
}

function faultBody(status: number) {
  switch (status) {
    case 401:
      return [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }];
    case 403:
      return [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }];
    case 503:
      return [{ message: "Server temporarily unavailable", errorCode: "SERVER_UNAVAILABLE" }];
    default:
      return [
        {
          message: `An unexpected error occurred (${status}). Please include this ErrorId if you contact support.`,
          errorCode: "UNKNOWN_EXCEPTION",
        },
      ];
  }
}
