import { afterEach, describe, expect, it } from "vitest";
import { salesforceSinkSchema } from "../../../src/config/sink-schema.js";
import { ClaypipeError } from "../../../src/core/errors.js";
import { createSalesforceSink } from "../../../src/sinks/salesforce/salesforce-sink.js";
import type { SinkResult } from "../../../src/sinks/sink.js";
import {
  type SalesforceStandIn,
  type SalesforceStandInOptions,
  startSalesforceStandIn,
} from "../../stand-ins/salesforce-stand-in.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { sinkContract } from "../sink-contract.js";

const TOKEN = "00Dxx0000001gPL!AQ4AQFakeToken";
const running: SalesforceStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: Partial<SalesforceStandInOptions>;
  config?: {
    accessToken?: string;
    object?: string;
    externalIdField?: string;
    fields?: Record<string, string>;
  };
}

async function setup(options: Setup = {}) {
  const standIn = await startSalesforceStandIn({ token: TOKEN, ...options.standIn });
  running.push(standIn);
  const config = salesforceSinkSchema.parse({
    name: "salesforce",
    type: "salesforce",
    instanceUrl: standIn.url,
    accessToken: TOKEN,
    ...options.config,
  });
  return { standIn, sink: createSalesforceSink(config) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);
const reasonOf = (result: SinkResult | undefined) => (result as { reason: string }).reason;

sinkContract("Salesforce sink against the Salesforce stand-in", {
  keyedOn: "identity",
  async open() {
    const { standIn, sink } = await setup();
    const arrived = async () =>
      [...standIn.records("Lead").values()].map((lead) => String(lead.Email));
    return { sink, arrived };
  },
  async failing(kind) {
    const { standIn, sink } = await setup();
    standIn.failNext(kind === "retryable" ? 503 : 400);
    return sink;
  },
  async cleanUp() {
    await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  },
});

describe("Salesforce sink against the Salesforce stand-in", () => {
  it("creates Leads keyed by the person's identity, and updates them on a replay", async () => {
    const { standIn, sink } = await setup();
    expect(failures(await sink.deliver(people(3), live()))).toEqual([]);
    const created = standIn.records("Lead");
    expect([...created.keys()].sort()).toEqual([
      "email:person0@acme.com",
      "email:person1@acme.com",
      "email:person2@acme.com",
    ]);
    expect(created.get("email:person0@acme.com")).toEqual({
      Id: expect.stringMatching(/^00Q/),
      Email: "person0@acme.com",
      FirstName: "Ada0",
      LastName: "Lovelace0",
      Title: "Engineer",
      Company: "Acme",
      Website: "acme.com",
      Industry: "Software",
      NumberOfEmployees: 250,
      Country: "GB",
      Claypipe_Id__c: "email:person0@acme.com",
    });

    // The same people under new lead ids: the same records, new values.
    const replay = people(3).map((record) => ({
      ...record,
      row: { ...record.row, job_title: "CTO" },
    }));
    expect(failures(await sink.deliver(replay, live()))).toEqual([]);
    const updated = standIn.records("Lead");
    expect(updated.size).toBe(3);
    expect(updated.get("email:person1@acme.com")).toMatchObject({
      Id: created.get("email:person1@acme.com")!.Id,
      Title: "CTO",
    });
  });

  it("sends one record for two leads of the same person in one call", async () => {
    const { standIn, sink } = await setup();
    const early = sinkRecord({
      email: "ada@acme.com",
      last_name: "Lovelace",
      job_title: "Engineer",
    });
    const late = sinkRecord({ email: "ada@acme.com", last_name: "Lovelace", job_title: "CTO" });
    expect(await sink.deliver([early, late], live())).toEqual([{ ok: true }, { ok: true }]);
    expect(standIn.records("Lead").size).toBe(1);
    expect(standIn.records("Lead").get("email:ada@acme.com")).toMatchObject({ Title: "CTO" });
  });

  it("sends 450 records as 3 requests of at most 200", async () => {
    const { standIn, sink } = await setup();
    const results = await sink.deliver(people(450), live());
    expect(results).toHaveLength(450);
    expect(failures(results)).toEqual([]);
    // The stand-in refuses a request over 200 records, so 3 accepted requests means 3 of ≤ 200.
    expect(standIn.requests).toBe(3);
    expect(standIn.records("Lead").size).toBe(450);
  });

  it("fills Company, which Lead requires, from company_name or with Unknown", async () => {
    const { standIn, sink } = await setup();
    const named = sinkRecord({ email: "a@acme.com", last_name: "A", company_name: "Acme Ltd" });
    const unnamed = sinkRecord({ email: "b@acme.com", last_name: "B", employee_count: "51-200" });
    expect(await sink.deliver([named, unnamed], live())).toEqual([{ ok: true }, { ok: true }]);
    const records = standIn.records("Lead");
    expect(records.get("email:a@acme.com")).toMatchObject({ Company: "Acme Ltd" });
    expect(records.get("email:b@acme.com")).toMatchObject({ Company: "Unknown" });
    // An integer field gets whole numbers only: a range would fail the whole request.
    expect(records.get("email:b@acme.com")).not.toHaveProperty("NumberOfEmployees");
  });

  it("maps each record's own failure, final or retryable, and keeps the others", async () => {
    const { standIn, sink } = await setup();
    const [good, locked] = people(2);
    const noLastName = sinkRecord({ email: "c@acme.com", company: "Acme" });
    const badEmail = sinkRecord({ email: "d@acme.com", work_email: "d at acme", last_name: "D" });
    standIn.failRecord(locked!.identityKey, {
      statusCode: "UNABLE_TO_LOCK_ROW",
      message: "unable to obtain exclusive access to this record",
    });
    const results = await sink.deliver([good!, noLastName, locked!, badEmail], live());
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[1])).toContain(
      "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]",
    );
    expect(results[2]).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(results[2])).toContain("UNABLE_TO_LOCK_ROW");
    expect(results[3]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[3])).toContain("INVALID_EMAIL_ADDRESS");
    expect(standIn.requests).toBe(1);
    expect([...standIn.records("Lead").keys()]).toEqual([good!.identityKey]);

    // The locked one goes in when tried again.
    expect(await sink.deliver([locked!], live())).toEqual([{ ok: true }]);
  });

  it("uses the configured fields instead of the default mapping", async () => {
    const { standIn, sink } = await setup({
      config: { fields: { LastName: "last_name", Company: "company", Lead_Score__c: "ICP Score" } },
    });
    const [record] = people(1);
    expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
    expect(standIn.records("Lead").get(record!.identityKey)).toEqual({
      Id: expect.any(String),
      LastName: "Lovelace0",
      Company: "Acme",
      Lead_Score__c: 80,
      Claypipe_Id__c: record!.identityKey,
    });
  });

  it("needs configured fields for any object but Lead", async () => {
    const create = () => setup({ config: { object: "Contact" } });
    const thrown = await create().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(ClaypipeError);
    expect((thrown as ClaypipeError).code).toBe("config_invalid");

    const { standIn, sink } = await setup({
      config: { object: "Contact", fields: { LastName: "last_name", Email: "email" } },
    });
    const [record] = people(1);
    expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
    expect(standIn.records("Contact").get(record!.identityKey)).toMatchObject({
      Id: expect.stringMatching(/^003/),
      Email: "person0@acme.com",
    });
  });

  it("fails for good, saying what to check, on a bad token or an unknown external id field", async () => {
    const badToken = await setup({ config: { accessToken: "00Dxx!expired" } });
    for (const result of await badToken.sink.deliver(people(2), live())) {
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(reasonOf(result)).toContain("INVALID_SESSION_ID");
      expect(reasonOf(result)).toContain("get a new OAuth access token");
    }

    const badField = await setup({ config: { externalIdField: "Clay_Id__c" } });
    const [result] = await badField.sink.deliver(people(1), live());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(result)).toContain("Provided external ID field does not exist");
    expect(reasonOf(result)).toContain("externalIdField");
  });

  it("answers server errors, the API request limit and unreachable hosts as retryable", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(503);
    const [unavailable] = await sink.deliver(people(1), live());
    expect(unavailable).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(unavailable)).toContain("SERVER_UNAVAILABLE");

    standIn.failNext(403);
    const [limited] = await sink.deliver(people(1), live());
    expect(limited).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(limited)).toContain("REQUEST_LIMIT_EXCEEDED");

    await standIn.close();
    const [unreachable] = await sink.deliver(people(1), live());
    expect(unreachable).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(unreachable)).toContain("could not reach Salesforce");
  });

  it("throws the abort reason when aborted", async () => {
    const { standIn, sink } = await setup();
    await expect(
      sink.deliver(people(1), AbortSignal.abort(new Error("shutting down"))),
    ).rejects.toThrow("shutting down");
    expect(standIn.requests).toBe(0);
  });
});
