// The HubSpot stand-in itself, over raw HTTP: the documented answers the sink (and the
// HubSpot intake) are built against.
import { afterEach, describe, expect, it } from "vitest";
import {
  type HubspotStandIn,
  type HubspotStandInOptions,
  startHubspotStandIn,
} from "../../stand-ins/hubspot-stand-in.js";

const TOKEN = "pat-na1-0000-test";

interface ContactView {
  id: string;
  new?: boolean;
  archived: boolean;
  properties: Record<string, string>;
}

/** The fields of HubSpot's answers these tests read: a batch, one contact, or an error. */
interface Answer {
  status?: string;
  results?: ContactView[];
  id?: string;
  properties?: Record<string, string>;
  message?: string;
  category?: string;
  correlationId?: string;
  context?: Record<string, string[]>;
}
const running: HubspotStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function start(options: Partial<HubspotStandInOptions> = {}) {
  const standIn = await startHubspotStandIn({ token: TOKEN, ...options });
  running.push(standIn);
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Answer,
    };
  };
  const upsert = (inputs: unknown[], token?: string) =>
    call("POST", "/crm/v3/objects/contacts/batch/upsert", { inputs }, token);
  return { standIn, call, upsert };
}

const input = (email: string, properties: Record<string, unknown> = {}) => ({
  idProperty: "email",
  id: email,
  properties,
});

describe("HubSpot stand-in", () => {
  it("upserts by email: new the first time, the same record after", async () => {
    const { upsert } = await start();
    const first = await upsert([input("Ada@Acme.com", { firstname: "Ada", numemployees: 5 })]);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("COMPLETE");
    expect(first.body.results).toHaveLength(1);
    const created = first.body.results![0]!;
    expect(created).toMatchObject({ new: true, archived: false });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({
      email: "ada@acme.com",
      firstname: "Ada",
      numemployees: "5",
    });

    const second = await upsert([input("ada@acme.com", { lastname: "Lovelace" })]);
    expect(second.body.results![0]).toMatchObject({ id: created.id, new: false });
    expect(second.body.results![0]!.properties).toMatchObject({
      firstname: "Ada",
      lastname: "Lovelace",
    });
  });

  it("reads a contact by email or by record id, with the default or the named properties", async () => {
    const { call, upsert } = await start();
    const { body } = await upsert([input("ada@acme.com", { firstname: "Ada", jobtitle: "CTO" })]);
    const id = body.results![0]!.id;

    const byEmail = await call("GET", "/crm/v3/objects/contacts/ADA@acme.com?idProperty=email");
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.id).toBe(id);
    expect(Object.keys(byEmail.body.properties!).sort()).toEqual([
      "createdate",
      "email",
      "firstname",
      "hs_object_id",
      "lastmodifieddate",
    ]);

    const byId = await call("GET", `/crm/v3/objects/contacts/${id}?properties=jobtitle,email`);
    expect(byId.body.properties).toEqual({ jobtitle: "CTO", email: "ada@acme.com" });

    const missing = await call("GET", "/crm/v3/objects/contacts/nobody@acme.com?idProperty=email");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: "error", category: "OBJECT_NOT_FOUND" });
  });

  it("refuses a bad token with HubSpot's 401 body", async () => {
    const { upsert, standIn } = await start();
    const answer = await upsert([input("ada@acme.com")], "pat-na1-wrong");
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ status: "error", category: "INVALID_AUTHENTICATION" });
    expect(answer.body.message).toMatch(/^Authentication credentials not found/);
    expect(answer.body.correlationId).toEqual(expect.any(String));
    expect(standIn.contacts().size).toBe(0);
  });

  it("refuses over 100 inputs, duplicate ids and invalid values, writing nothing", async () => {
    const { upsert, standIn } = await start({ knownProperties: ["email", "firstname"] });
    const tooMany = await upsert(Array.from({ length: 101 }, (_, n) => input(`p${n}@acme.com`)));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.category).toBe("VALIDATION_ERROR");

    const twice = await upsert([input("ada@acme.com"), input("ADA@acme.com")]);
    expect(twice.status).toBe(400);
    expect(twice.body.message).toBe(
      "Duplicate IDs found in batch input: [ada@acme.com]. IDs must be unique",
    );
    expect(twice.body.context).toEqual({ ids: ["ada@acme.com"] });

    const invalid = await upsert([input("ada@acme.com", { shoe_size: 9 }), input("not-an-email")]);
    expect(invalid.status).toBe(400);
    expect(invalid.body.category).toBe("VALIDATION_ERROR");
    expect(invalid.body.message).toMatch(/^Property values were not valid: /);
    expect(invalid.body.message).toContain("PROPERTY_DOESNT_EXIST");
    expect(invalid.body.message).toContain("Email address not-an-email is invalid");
    expect(standIn.contacts().size).toBe(0);
  });

  it("answers 429 with HubSpot's body and headers past the rolling window", async () => {
    const { upsert, standIn } = await start({ rateLimit: { requests: 2, perMs: 60_000 } });
    const first = await upsert([input("a@acme.com")]);
    expect(first.headers.get("x-hubspot-ratelimit-max")).toBe("2");
    expect(first.headers.get("x-hubspot-ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-hubspot-ratelimit-interval-milliseconds")).toBe("60000");
    expect((await upsert([input("b@acme.com")])).status).toBe(200);

    const limited = await upsert([input("c@acme.com")]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-hubspot-ratelimit-remaining")).toBe("0");
    expect(limited.body).toMatchObject({
      status: "error",
      message: "You have reached your ten_secondly_rolling limit.",
      errorType: "RATE_LIMIT",
      policyName: "TEN_SECONDLY_ROLLING",
    });
    expect(standIn.rateLimited).toBe(1);
    expect([...standIn.contacts().keys()].sort()).toEqual(["a@acme.com", "b@acme.com"]);
  });

  it("answers injected faults, then serves again", async () => {
    const { upsert, standIn } = await start();
    standIn.failNext(503, 2);
    expect((await upsert([input("a@acme.com")])).status).toBe(503);
    expect((await upsert([input("a@acme.com")])).status).toBe(503);
    expect((await upsert([input("a@acme.com")])).status).toBe(200);
    expect(standIn.requests).toBe(3);
  });
});
