/**
 * HubSpot webhooks over real HTTP, against the local HubSpot stand-in:
 * `POST /v1/hubspot/:source` checks the v3 signature, reads the contacts the
 * events name, writes them as leads and only then answers 200. A failed read
 * writes nothing and answers 503, so HubSpot sends the batch again.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubspotStandIn, startHubspotStandIn } from "../stand-ins/hubspot-stand-in.js";
import { type IntakeHarness, startIntakeHarness } from "./intake-sources-harness.js";

const TOKEN = "pat-na1-intake-token";
const CLIENT_SECRET = "hubspot-app-client-secret";
// HubSpot signs the URL it calls, with %3A and the other listed characters decoded.
const TARGET_CALLED = "https://hooks.acme.com/hubspot/leads?portal=a%3Ab&tag=%28x%29";
const TARGET_SIGNED = "https://hooks.acme.com/hubspot/leads?portal=a:b&tag=(x)";

let hubspot: HubspotStandIn;
/** A HubSpot that answers every request 503. */
let failing: HubspotStandIn;
let harness: IntakeHarness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  hubspot = await startHubspotStandIn({ token: TOKEN });
  failing = await startHubspotStandIn({ token: TOKEN });
  failing.failNext(503, 100_000);
  harness = await startIntakeHarness({
    sources: [
      { name: "api" },
      {
        name: "hs",
        hubspot: {
          clientSecret: CLIENT_SECRET,
          accessToken: TOKEN,
          apiBaseUrl: hubspot.url,
          targetUrl: TARGET_CALLED,
          events: ["contact.creation", "object.creation", "contact.propertyChange"],
          readTimeout: "1s",
        },
      },
      {
        name: "hs-default",
        hubspot: {
          clientSecret: CLIENT_SECRET,
          accessToken: TOKEN,
          apiBaseUrl: hubspot.url,
          properties: { email: "email", title: "jobtitle" },
        },
      },
      {
        name: "hs-down",
        hubspot: {
          clientSecret: CLIENT_SECRET,
          accessToken: TOKEN,
          apiBaseUrl: failing.url,
          targetUrl: "https://hooks.acme.com/down",
          readTimeout: "300ms",
        },
      },
    ],
    server: { bodyLimit: 65_536 },
  });
  const created = await fetch(`${hubspot.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      inputs: [
        contact("ada@acme.com", {
          firstname: "Ada",
          lastname: "Lovelace",
          company: "Acme",
          jobtitle: "CTO",
        }),
        contact("grace@navy.mil", { firstname: "Grace", website: "https://www.navy.mil/about" }),
        contact("noname@example.com", {}),
      ],
    }),
  });
  const { results } = (await created.json()) as {
    results: Array<{ id: string; properties: { email: string } }>;
  };
  for (const result of results) ids[result.properties.email] = result.id;
});
afterAll(async () => {
  await harness.close();
  await hubspot.close();
  await failing.close();
});

function contact(email: string, properties: Record<string, string>) {
  return { idProperty: "email", id: email, properties };
}

function event(subscriptionType: string, objectId: number | string, extra = {}) {
  return {
    eventId: 1,
    subscriptionId: 7,
    portalId: 62515,
    appId: 54321,
    occurredAt: Date.now(),
    attemptNumber: 0,
    subscriptionType,
    objectId,
    ...extra,
  };
}

/** Signed the way HubSpot signs, written out here on its own (not with the code under test). */
function signed(body: string, uri = TARGET_SIGNED, timestamp = Date.now()) {
  const signature = createHmac("sha256", CLIENT_SECRET)
    .update(`POST${uri}${body}${timestamp}`, "utf8")
    .digest("base64");
  return {
    "content-type": "application/json",
    "x-hubspot-signature-v3": signature,
    "x-hubspot-request-timestamp": String(timestamp),
  };
}

async function deliver(events: unknown[], path = "/v1/hubspot/hs", uri = TARGET_SIGNED) {
  const body = JSON.stringify(events);
  return harness.post(path, body, signed(body, uri));
}

describe("a signed batch", () => {
  it("reads the contacts, writes one lead each, and answers 200 after the write", async () => {
    const from = harness.accepted.length;
    const requests = hubspot.requests;
    const answer = await deliver([
      event("contact.creation", Number(ids["ada@acme.com"])),
      event("contact.propertyChange", ids["ada@acme.com"]!, { propertyName: "jobtitle" }),
      event("object.creation", ids["grace@navy.mil"]!, { objectTypeId: "0-1" }),
      event("object.creation", 424242, { objectTypeId: "0-3" }),
      event("contact.deletion", ids["grace@navy.mil"]!),
      event("contact.creation", 999_999),
      event("contact.creation", ids["noname@example.com"]!.replace(/./g, "x")),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      accepted: 2,
      skipped: { events: 3, missingContacts: 1, invalidContacts: 0 },
    });
    // One batch read for the whole batch.
    expect(hubspot.requests - requests).toBe(1);
    const leads = await harness.leadsSince(from);
    expect(leads.map((lead) => [lead.source, lead.state, lead.fields])).toEqual([
      [
        "hs",
        "queued",
        {
          hubspot_contact_id: ids["ada@acme.com"],
          email: "ada@acme.com",
          first_name: "Ada",
          last_name: "Lovelace",
          company: "Acme",
          title: "CTO",
        },
      ],
      [
        "hs",
        "queued",
        {
          hubspot_contact_id: ids["grace@navy.mil"],
          email: "grace@navy.mil",
          first_name: "Grace",
          domain: "navy.mil",
        },
      ],
    ]);
  });

  it("acknowledges a batch with nothing to take, without calling HubSpot", async () => {
    const requests = hubspot.requests;
    const answer = await deliver([event("contact.deletion", 1), { junk: true }, 7]);
    expect(answer.status).toBe(200);
    expect(answer.body.skipped).toEqual({ events: 3, missingContacts: 0, invalidContacts: 0 });
    expect(hubspot.requests).toBe(requests);
  });

  it("skips a contact that cannot be a lead, and says so in the answer", async () => {
    const from = harness.accepted.length;
    const answer = await deliver(
      [
        event("contact.creation", ids["noname@example.com"]!),
        event("contact.creation", ids["ada@acme.com"]!),
      ],
      "/v1/hubspot/hs-default",
      "https://claypipe.example.com/v1/hubspot/hs-default",
    );
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(2);
    const leads = await harness.leadsSince(from);
    // The source maps only email and title.
    expect(leads.map((lead) => lead.fields)).toEqual([
      { hubspot_contact_id: ids["noname@example.com"], email: "noname@example.com" },
      { hubspot_contact_id: ids["ada@acme.com"], email: "ada@acme.com", title: "CTO" },
    ]);
    expect(leads[1]!.state).toBe("duplicate");
  });

  it("tries a read again after 429 and 5xx, within the time HubSpot waits", async () => {
    const from = harness.accepted.length;
    hubspot.failNext(429);
    hubspot.failNext(502);
    const answer = await deliver([event("contact.creation", ids["grace@navy.mil"]!)]);
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(1);
    expect(await harness.leadsSince(from)).toHaveLength(1);
  });
});

describe("a read that fails", () => {
  it("writes nothing and answers 503 when HubSpot keeps failing past readTimeout", async () => {
    const before = await harness.leadCount();
    const requests = failing.requests;
    const answer = await deliver(
      [event("contact.creation", ids["ada@acme.com"]!)],
      "/v1/hubspot/hs-down",
      "https://hooks.acme.com/down",
    );
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      error: "hubspot_unavailable",
      hint: expect.stringContaining("HubSpot sends the batch again"),
    });
    expect(answer.headers.get("retry-after")).toBe("5");
    expect(failing.requests - requests).toBeGreaterThan(1);
    expect(await harness.leadCount()).toBe(before);
  });

  it("writes nothing and says to fix the token when HubSpot refuses it", async () => {
    const before = await harness.leadCount();
    hubspot.failNext(401);
    const answer = await deliver([event("contact.creation", ids["ada@acme.com"]!)]);
    expect(answer.status).toBe(503);
    expect(answer.body.message).toContain("crm.objects.contacts.read");
    expect(await harness.leadCount()).toBe(before);
    const warning = harness.logs.findLast((line) =>
      line.msg.startsWith("hubspot contacts could not be read"),
    );
    expect(warning).toMatchObject({ source: "hs", contacts: 1 });
  });
});

describe("requests HubSpot did not sign", () => {
  const body = JSON.stringify([event("contact.creation", 1)]);

  it("refuses a wrong, stale, future or missing signature with 401 before reading HubSpot", async () => {
    const before = await harness.leadCount();
    const requests = hubspot.requests;
    const cases: Array<[Record<string, string>, string]> = [
      [
        { ...signed(body), "x-hubspot-signature-v3": signed(`${body} `)["x-hubspot-signature-v3"] },
        "bad_signature",
      ],
      [
        signed(body, "https://hooks.acme.com/hubspot/leads?portal=a%3Ab&tag=%28x%29"),
        "bad_signature",
      ],
      [signed(body, TARGET_SIGNED, Date.now() - 5 * 60_000 - 1000), "expired"],
      [signed(body, TARGET_SIGNED, Date.now() + 5 * 60_000 + 1000), "expired"],
      [{ "content-type": "application/json" }, "missing"],
      [{ ...signed(body), "x-hubspot-request-timestamp": "soon" }, "expired"],
    ];
    for (const [headers, reason] of cases) {
      const answer = await harness.post("/v1/hubspot/hs", body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({
        error: "unauthorized",
        reason,
        hint: expect.any(String),
      });
    }
    // A body changed after signing.
    const tampered = await harness.post(
      "/v1/hubspot/hs",
      body.replace("62515", "62516"),
      signed(body),
    );
    expect(tampered.body.reason).toBe("bad_signature");
    expect(hubspot.requests).toBe(requests);
    expect(await harness.leadCount()).toBe(before);
  });

  it("answers 400 for a signed body that is not a list of events, and 404 for an unknown source", async () => {
    const object = JSON.stringify({ objectId: 1 });
    const notList = await harness.post("/v1/hubspot/hs", object, signed(object));
    expect(notList.status).toBe(400);
    expect(notList.body.error).toBe("invalid_body");
    const broken = "[{";
    const unreadable = await harness.post("/v1/hubspot/hs", broken, signed(broken));
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.error).toBe("input_unreadable");
    const unknown = await harness.post("/v1/hubspot/nope", body, signed(body));
    expect(unknown.status).toBe(404);
  });
});

it("never logs a contact's data", () => {
  const text = JSON.stringify(harness.logs);
  expect(harness.logs.some((line) => line.msg === "hubspot webhook batch taken")).toBe(true);
  expect(text).not.toMatch(/@acme\.com|@navy\.mil|@example\.com|Lovelace/);
});
