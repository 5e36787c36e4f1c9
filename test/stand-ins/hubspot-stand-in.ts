/**
 * A local stand-in for HubSpot's CRM v3 contacts API, for tests of the HubSpot
 * sink and (issue 4) the HubSpot intake. Listens on a free loopback port.
 *
 * Followed (developers.hubspot.com):
 * - `POST /crm/v3/objects/contacts/batch/upsert`, body `{ inputs: [{ id, idProperty, properties }] }`,
 *   answer 200 `{ status: "COMPLETE", results: [{ id, properties, createdAt, updatedAt, archived, new }],
 *   startedAt, completedAt }`; at most 100 inputs a batch ("Upsert a batch of contacts").
 * - `POST /crm/v3/objects/contacts/batch/update`, body `{ inputs: [{ id, properties }] }` by record id,
 *   at most 100 inputs; answer 200 `{ status: "COMPLETE", results, startedAt, completedAt }`, or 207
 *   with `errors` when some inputs failed ("Update a batch of contacts").
 * - `GET /crm/v3/objects/contacts/{contactId}` by record id, or by email with `?idProperty=email`;
 *   `properties=a,b` picks properties, else HubSpot's default set.
 * - `GET /crm/v3/objects/contacts?limit=N` lists contacts a page at a time ("Retrieve contacts"):
 *   answer `{ results: [...] }` with HubSpot's default properties; the page's `paging.next.after`
 *   is left out (the stand-in serves the first page only, enough for a credentials check).
 * - `POST /crm/v3/objects/contacts/batch/read`, body `{ inputs: [{ id }], properties, propertiesWithHistory }`,
 *   at most 100 inputs; answer `{ status: "COMPLETE", results, startedAt, completedAt }` (the
 *   webhook intake reads the contacts its events name this way).
 * - Private app tokens as `Authorization: Bearer …`; a bad token gets 401 with category
 *   INVALID_AUTHENTICATION and HubSpot's "Authentication credentials not found…" message.
 * - Burst limit for private apps: 190 requests per 10 s on Professional/Enterprise ("Increasing our
 *   API limits" changelog). Over it: 429 with body `{ status, message: "You have reached your
 *   ten_secondly_rolling limit.", errorType: "RATE_LIMIT", correlationId, policyName:
 *   "TEN_SECONDLY_ROLLING", requestId }` (usage guidelines); every answer carries
 *   `X-HubSpot-RateLimit-Max`, `-Remaining` and `-Interval-Milliseconds`.
 * - Error bodies `{ status: "error", message, correlationId, category }`; "Duplicate IDs found in
 *   batch input: [...]. IDs must be unique" with `context.ids`; "Property values were not valid: [...]"
 *   (VALIDATION_ERROR) for bad emails and unknown properties, as production integrations record them.
 * Assumed (not documented): the wording of the over-100 error; any invalid input rejects the whole
 * batch with 400 (no 207 multi-status); a 429 carries no Retry-After; requests refused with 429 do not
 * count in the window; no daily limit; results come back in input order; email is the only
 * idProperty; 5xx bodies; a batch read naming unknown ids answers 207 with one OBJECT_NOT_FOUND
 * error listing them in `context.ids`, and a batch update naming unknown ids the same (the others
 * written).
 * Lists: `GET /crm/v3/lists/{listId}` and `PUT /crm/v3/lists/{listId}/memberships/add`, see
 * hubspot-lists.ts.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { HubspotLists, type ListProcessingType } from "./hubspot-lists.js";
import { HubspotPortal, hubspotError, MAX_BATCH_INPUTS } from "./hubspot-portal.js";

export interface HubspotStandInOptions {
  /** The private app token the stand-in accepts. */
  token: string;
  /** The burst limit: requests admitted per rolling window. @defaultValue { requests: 190, perMs: 10_000 } */
  rateLimit?: { requests: number; perMs: number };
  /** Contact properties the portal has; any other gets PROPERTY_DOESNT_EXIST. @defaultValue any name is accepted */
  knownProperties?: string[];
  /** The portal's lists: ILS id → processing type. @defaultValue none */
  lists?: Record<string, ListProcessingType>;
}

export interface HubspotStandIn {
  url: string;
  /** Every contact, by lowercase email. */
  contacts(): Map<string, Record<string, string>>;
  /** Every contact's record id, by lowercase email. */
  contactIds(): Map<string, string>;
  /** Requests received, faulted and refused ones included. */
  readonly requests: number;
  /** Requests answered 429 by the rate window (injected faults not included). */
  readonly rateLimited: number;
  /** The emails of a list's members, in the order they joined. */
  listMembers(listId: string): string[];
  /** The next `count` membership adds report every id missing (a contact not yet visible to lists). */
  reportMissingNext(count: number): void;
  /** Answers the next `count` requests with `status` and HubSpot's error body for it. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

const CONTACTS = "/crm/v3/objects/contacts";

export async function startHubspotStandIn(options: HubspotStandInOptions): Promise<HubspotStandIn> {
  const { requests: limit, perMs } = options.rateLimit ?? { requests: 190, perMs: 10_000 };
  const portal = new HubspotPortal(
    options.knownProperties ? new Set(options.knownProperties) : undefined,
  );
  const lists = new HubspotLists(options.lists ?? {});
  const admitted: number[] = [];
  const faults: number[] = [];
  let requests = 0;
  let rateLimited = 0;

  const remaining = (now: number): number => {
    while (admitted.length > 0 && admitted[0]! <= now - perMs) admitted.shift();
    return Math.max(0, limit - admitted.length);
  };

  /** Faults, auth and the rate window, in that order; true when the request was answered. */
  const refuse = (request: FastifyRequest, reply: FastifyReply): boolean => {
    requests += 1;
    const now = Date.now();
    reply.header("x-hubspot-ratelimit-max", String(limit));
    reply.header("x-hubspot-ratelimit-interval-milliseconds", String(perMs));
    const fault = faults.shift();
    if (fault !== undefined) {
      reply.header("x-hubspot-ratelimit-remaining", String(remaining(now)));
      void reply.code(fault).send(faultBody(fault));
      return true;
    }
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      void reply.code(401).send(faultBody(401));
      return true;
    }
    if (remaining(now) === 0) {
      rateLimited += 1;
      reply.header("x-hubspot-ratelimit-remaining", "0");
      void reply.code(429).send(faultBody(429));
      return true;
    }
    admitted.push(now);
    reply.header("x-hubspot-ratelimit-remaining", String(remaining(now)));
    return false;
  };

  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .send(hubspotError("VALIDATION_ERROR", `Invalid input JSON: ${error.message}`));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(hubspotError("OBJECT_NOT_FOUND", `No route for ${request.method} ${request.url}`)),
  );

  app.post(`${CONTACTS}/batch/upsert`, (request, reply) => {
    if (refuse(request, reply)) return reply;
    const answer = portal.upsert(request.body);
    return reply.code(answer.status).send(answer.body);
  });

  app.post(`${CONTACTS}/batch/update`, (request, reply) => {
    if (refuse(request, reply)) return reply;
    const answer = portal.update(request.body);
    return reply.code(answer.status).send(answer.body);
  });

  app.get<{ Querystring: { limit?: string } }>(CONTACTS, (request, reply) => {
    if (refuse(request, reply)) return reply;
    // HubSpot pages at most 100 contacts, 10 when no limit is given.
    const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 10) || 10));
    const ids = [...portal.contactIds().values()].slice(0, limit);
    return reply.send({ results: ids.map((id) => portal.read(id, undefined, undefined)) });
  });

  app.get<{
    Params: { id: string };
    Querystring: { idProperty?: string; properties?: string | string[] };
  }>(`${CONTACTS}/:id`, (request, reply) => {
    if (refuse(request, reply)) return reply;
    const { idProperty, properties } = request.query;
    const names =
      properties === undefined
        ? undefined
        : [properties]
            .flat()
            .flatMap((list) => list.split(","))
            .filter(Boolean);
    const contact = portal.read(request.params.id, idProperty, names);
    if (!contact) {
      return reply.code(404).send(hubspotError("OBJECT_NOT_FOUND", "resource not found"));
    }
    return reply.send(contact);
  });

  app.post(`${CONTACTS}/batch/read`, (request, reply) => {
    if (refuse(request, reply)) return reply;
    const answer = readBatch(portal, request.body);
    return reply.code(answer.status).send(answer.body);
  });

  app.get<{ Params: { listId: string } }>("/crm/v3/lists/:listId", (request, reply) => {
    if (refuse(request, reply)) return reply;
    const answer = lists.read(request.params.listId);
    return reply.code(answer.status).send(answer.body);
  });

  app.put<{ Params: { listId: string } }>(
    "/crm/v3/lists/:listId/memberships/add",
    (request, reply) => {
      if (refuse(request, reply)) return reply;
      const answer = lists.add(
        request.params.listId,
        request.body,
        (id) => portal.read(id, undefined, []) !== undefined,
      );
      return reply.code(answer.status).send(answer.body);
    },
  );

  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    contacts: () => portal.contacts(),
    contactIds: () => portal.contactIds(),
    get requests() {
      return requests;
    },
    get rateLimited() {
      return rateLimited;
    },
    listMembers: (listId) =>
      lists
        .membersOf(listId)
        .map((id) => portal.read(id, undefined, ["email"])?.properties.email ?? id),
    reportMissingNext: (count) => lists.reportMissingNext(count),
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) faults.push(status);
    },
    close: () => app.close(),
  };
}

function readBatch(portal: HubspotPortal, body: unknown): { status: number; body: unknown } {
  const { inputs, properties } = (body ?? {}) as { inputs?: unknown; properties?: unknown };
  if (!Array.isArray(inputs) || inputs.length > MAX_BATCH_INPUTS) {
    return {
      status: 400,
      body: hubspotError(
        "VALIDATION_ERROR",
        `Invalid input JSON: \`inputs\` must be an array of at most ${MAX_BATCH_INPUTS} { id }`,
      ),
    };
  }
  const names = Array.isArray(properties) ? properties.map(String) : undefined;
  const startedAt = new Date().toISOString();
  const results = [];
  const missing: string[] = [];
  for (const input of inputs as Array<{ id?: unknown }>) {
    const id = String(input?.id);
    const contact = portal.read(id, undefined, names);
    if (contact) results.push(contact);
    else missing.push(id);
  }
  const answer = { status: "COMPLETE", results, startedAt, completedAt: new Date().toISOString() };
  if (missing.length === 0) return { status: 200, body: answer };
  const notFound = hubspotError(
    "OBJECT_NOT_FOUND",
    "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
    { context: { ids: missing } },
  );
  return { status: 207, body: { ...answer, numErrors: 1, errors: [notFound] } };
}

function faultBody(status: number) {
  switch (status) {
    case 401:
      return hubspotError(
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
      );
    case 403:
      return hubspotError(
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call.",
        {
          errors: [
            {
              message: "One or more of the following scopes are required.",
              context: { requiredGranularScopes: ["crm.objects.contacts.write"] },
            },
          ],
        },
      );
    case 429:
      return {
        status: "error",
        message: "You have reached your ten_secondly_rolling limit.",
        errorType: "RATE_LIMIT",
        correlationId: randomUUID(),
        policyName: "TEN_SECONDLY_ROLLING",
        requestId: randomUUID(),
      };
    default:
      return hubspotError(
        status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR",
        `HubSpot answered ${status}`,
      );
  }
}
