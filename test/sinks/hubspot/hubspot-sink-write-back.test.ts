// The HubSpot sink writes back to the contact a lead came from (hubspot_contact_id) by id,
// and upserts by email only when there is no id or HubSpot no longer has that contact.
import { afterEach, describe, expect, it } from "vitest";
import { hubspotSinkSchema } from "../../../src/config/sink-schema.js";
import type { Logger } from "../../../src/logging/create-logger.js";
import { createHubspotSink } from "../../../src/sinks/hubspot/hubspot-sink.js";
import { type HubspotStandIn, startHubspotStandIn } from "../../stand-ins/hubspot-stand-in.js";
import { sinkRecord } from "../../stand-ins/sink-records.js";
import { captureLogs } from "../capture-logs.js";

const TOKEN = "pat-na1-0000-test";
const running: HubspotStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

const live = () => AbortSignal.timeout(20_000);

async function setup(logger?: Logger, fetchImpl: typeof fetch = fetch) {
  const standIn = await startHubspotStandIn({ token: TOKEN });
  running.push(standIn);
  const config = hubspotSinkSchema.parse({
    name: "hubspot",
    type: "hubspot",
    accessToken: TOKEN,
    baseUrl: standIn.url,
  });
  const sink = createHubspotSink(config, { fetch: fetchImpl, ...(logger ? { logger } : {}) });
  return { standIn, sink };
}

/** Creates the contact a HubSpot webhook would have named, and answers its record id. */
async function existingContact(standIn: HubspotStandIn, email: string): Promise<string> {
  const response = await fetch(`${standIn.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ inputs: [{ idProperty: "email", id: email, properties: {} }] }),
  });
  expect(response.status).toBe(200);
  return standIn.contactIds().get(email)!;
}

describe("HubSpot sink writing back to the contact a lead came from", () => {
  it("updates the contact by its id and creates none, even when Clay found another email", async () => {
    const { standIn, sink } = await setup();
    const id = await existingContact(standIn, "ada.personal@gmail.com");
    const results = await sink.deliver(
      [
        sinkRecord({
          hubspot_contact_id: id,
          email: "ada.personal@gmail.com",
          work_email: "ada@acme.com",
          job_title: "CTO",
          company: "Acme",
        }),
      ],
      live(),
    );
    expect(results).toEqual([{ ok: true }]);
    const contacts = standIn.contacts();
    expect([...contacts.keys()]).toEqual(["ada.personal@gmail.com"]);
    expect(contacts.get("ada.personal@gmail.com")).toMatchObject({
      jobtitle: "CTO",
      company: "Acme",
    });
  });

  it("upserts by email when HubSpot has no contact under the id, and logs it without the email", async () => {
    const logs = captureLogs();
    const { standIn, sink } = await setup(logs.logger);
    const results = await sink.deliver(
      [sinkRecord({ hubspot_contact_id: "999999", email: "grace@navy.mil", job_title: "RADM" })],
      live(),
    );
    expect(results).toEqual([{ ok: true }]);
    expect(standIn.contacts().get("grace@navy.mil")).toMatchObject({ jobtitle: "RADM" });
    const fallback = logs.lines.find((line) => line.includes("upserted by email instead"));
    expect(JSON.parse(fallback ?? "{}")).toMatchObject({ contacts: 1 });
    expect(logs.lines.join("")).not.toContain("grace@navy.mil");
  });

  it("sends a mixed batch: known ids updated, unknown ids and id-less records upserted", async () => {
    const { standIn, sink } = await setup();
    const ada = await existingContact(standIn, "ada@acme.com");
    const grace = await existingContact(standIn, "grace@navy.mil");
    const results = await sink.deliver(
      [
        sinkRecord({ hubspot_contact_id: ada, email: "ada@acme.com", job_title: "CTO" }),
        sinkRecord({ email: "linus@kernel.org", job_title: "Maintainer" }),
        sinkRecord({ hubspot_contact_id: "424242", email: "alan@bletchley.uk", job_title: "Lead" }),
        sinkRecord({ hubspot_contact_id: grace, email: "grace@navy.mil", job_title: "RADM" }),
      ],
      live(),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    const contacts = standIn.contacts();
    expect([...contacts.keys()].sort()).toEqual([
      "ada@acme.com",
      "alan@bletchley.uk",
      "grace@navy.mil",
      "linus@kernel.org",
    ]);
    expect(standIn.contactIds().get("ada@acme.com")).toBe(ada);
    expect(contacts.get("ada@acme.com")?.jobtitle).toBe("CTO");
    expect(contacts.get("grace@navy.mil")?.jobtitle).toBe("RADM");
    expect(contacts.get("alan@bletchley.uk")?.jobtitle).toBe("Lead");
  });

  it("asks again one contact a request after a 404 that names no id, and upserts only the missing one", async () => {
    const updates: number[] = [];
    // HubSpot answering the first batch update with a bare 404, as for an id that no longer exists.
    const answering404First: typeof fetch = async (input, init) => {
      if (String(input).endsWith("/batch/update")) {
        const inputs = (JSON.parse(String(init?.body)) as { inputs: unknown[] }).inputs;
        updates.push(inputs.length);
        if (updates.length === 1) {
          return Response.json(
            { status: "error", message: "resource not found", category: "OBJECT_NOT_FOUND" },
            { status: 404 },
          );
        }
      }
      return fetch(input, init);
    };
    const { standIn, sink } = await setup(undefined, answering404First);
    const ada = await existingContact(standIn, "ada@acme.com");
    const results = await sink.deliver(
      [
        sinkRecord({ hubspot_contact_id: ada, email: "ada@acme.com", job_title: "CTO" }),
        sinkRecord({ hubspot_contact_id: "31337", email: "alan@bletchley.uk", job_title: "Lead" }),
      ],
      live(),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    expect(updates).toEqual([2, 1, 1]);
    expect(standIn.contacts().get("ada@acme.com")?.jobtitle).toBe("CTO");
    expect(standIn.contacts().get("alan@bletchley.uk")?.jobtitle).toBe("Lead");
    expect(standIn.contacts().size).toBe(2);
  });

  it("updates by id a lead whose row has no email at all", async () => {
    const { standIn, sink } = await setup();
    const id = await existingContact(standIn, "ada@acme.com");
    const results = await sink.deliver(
      [sinkRecord({ hubspot_contact_id: id, first_name: "Ada", job_title: "CTO" })],
      live(),
    );
    expect(results).toEqual([{ ok: true }]);
    expect(standIn.contacts().get("ada@acme.com")).toMatchObject({
      firstname: "Ada",
      jobtitle: "CTO",
    });
  });

  it("answers a 429 on an update as retryable and writes nothing", async () => {
    const { standIn, sink } = await setup();
    const id = await existingContact(standIn, "ada@acme.com");
    standIn.failNext(429);
    const [result] = await sink.deliver(
      [sinkRecord({ hubspot_contact_id: id, email: "ada@acme.com", job_title: "CTO" })],
      live(),
    );
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(standIn.contacts().get("ada@acme.com")?.jobtitle).toBeUndefined();
  });
});
