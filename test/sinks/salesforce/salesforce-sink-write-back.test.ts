// The Salesforce sink writes back to the record a lead came from (salesforce_id) by id, and
// upserts by external id only when there is no id or Salesforce no longer has that record.
import { afterEach, describe, expect, it } from "vitest";
import { salesforceSinkSchema } from "../../../src/config/sink-schema.js";
import { createSalesforceSink } from "../../../src/sinks/salesforce/salesforce-sink.js";
import {
  type SalesforceStandIn,
  startSalesforceStandIn,
} from "../../stand-ins/salesforce-stand-in.js";
import { sinkRecord } from "../../stand-ins/sink-records.js";
import { captureLogs } from "../capture-logs.js";

const TOKEN = "00Dxx0000001gPL!AQ4AQFakeToken";
const running: SalesforceStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

const live = () => AbortSignal.timeout(20_000);

async function setup() {
  const standIn = await startSalesforceStandIn({ token: TOKEN });
  running.push(standIn);
  const config = salesforceSinkSchema.parse({
    name: "salesforce",
    type: "salesforce",
    instanceUrl: standIn.url,
    accessToken: TOKEN,
  });
  const logs = captureLogs();
  return { standIn, logs, sink: createSalesforceSink(config, { logger: logs.logger }) };
}

/** A Lead already in the org (as a Flow would have sent it): its Salesforce id. */
async function existingLead(standIn: SalesforceStandIn, externalId: string): Promise<string> {
  const response = await fetch(
    `${standIn.url}/services/data/v62.0/composite/sobjects/Lead/Claypipe_Id__c`,
    {
      method: "PATCH",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        records: [
          {
            attributes: { type: "Lead" },
            Claypipe_Id__c: externalId,
            LastName: "Lovelace",
            Company: "Acme Ltd",
          },
        ],
      }),
    },
  );
  const [result] = (await response.json()) as Array<{ id: string }>;
  return result!.id;
}

describe("Salesforce sink writing back to the record a lead came from", () => {
  it("updates the record by its id and creates none; keeps its Company when Clay found none", async () => {
    const { standIn, sink } = await setup();
    const id = await existingLead(standIn, "flow:00q-original");
    const results = await sink.deliver(
      [sinkRecord({ salesforce_id: id, email: "ada@acme.com", job_title: "CTO" })],
      live(),
    );
    expect(results).toEqual([{ ok: true }]);
    const leads = standIn.records("Lead");
    expect(leads.size).toBe(1);
    expect(leads.get("flow:00q-original")).toMatchObject({
      Id: id,
      Title: "CTO",
      Email: "ada@acme.com",
      Company: "Acme Ltd",
    });
  });

  it("upserts by external id when Salesforce no longer has the record, and logs it without the email", async () => {
    const { standIn, sink, logs } = await setup();
    const record = sinkRecord({
      salesforce_id: "00Q000000000999AAA",
      email: "grace@navy.mil",
      last_name: "Hopper",
      job_title: "RADM",
    });
    const results = await sink.deliver([record], live());
    expect(results).toEqual([{ ok: true }]);
    expect(standIn.records("Lead").get(record.identityKey)).toMatchObject({
      Email: "grace@navy.mil",
      Title: "RADM",
    });
    const fallback = logs.lines.find((line) => line.includes("upserted by external id instead"));
    expect(JSON.parse(fallback ?? "{}")).toMatchObject({ records: 1 });
    expect(logs.lines.join("")).not.toContain("grace@navy.mil");
  });

  it("sends a mixed batch: known ids updated, unknown ids and id-less records upserted", async () => {
    const { standIn, sink } = await setup();
    const ada = await existingLead(standIn, "flow:ada");
    const linus = sinkRecord({ email: "linus@kernel.org", last_name: "Torvalds" });
    const alan = sinkRecord({
      salesforce_id: "00Q000000000777AAA",
      email: "alan@bletchley.uk",
      last_name: "Turing",
    });
    const results = await sink.deliver(
      [sinkRecord({ salesforce_id: ada, email: "ada@acme.com", job_title: "CTO" }), linus, alan],
      live(),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const leads = standIn.records("Lead");
    expect([...leads.keys()].sort()).toEqual(
      ["flow:ada", linus.identityKey, alan.identityKey].sort(),
    );
    expect(leads.get("flow:ada")).toMatchObject({ Id: ada, Title: "CTO" });
  });

  it("answers a passing failure of the update as retryable and writes nothing", async () => {
    const { standIn, sink } = await setup();
    const id = await existingLead(standIn, "flow:ada");
    standIn.failNext(503);
    const [result] = await sink.deliver(
      [sinkRecord({ salesforce_id: id, email: "ada@acme.com", job_title: "CTO" })],
      live(),
    );
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(standIn.records("Lead").size).toBe(1);
    expect(standIn.records("Lead").get("flow:ada")?.Title).toBeUndefined();
  });
});
