import { afterEach, describe, expect, it } from "vitest";
import { hubspotSinkSchema } from "../../../src/config/sink-schema.js";
import {
  createHubspotSink,
  type HubspotSinkOptions,
} from "../../../src/sinks/hubspot/hubspot-sink.js";
import type { SinkResult } from "../../../src/sinks/sink.js";
import {
  type HubspotStandIn,
  type HubspotStandInOptions,
  startHubspotStandIn,
} from "../../stand-ins/hubspot-stand-in.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { sinkContract } from "../sink-contract.js";

const TOKEN = "pat-na1-0000-test";
const running: HubspotStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: Partial<HubspotStandInOptions>;
  config?: { accessToken?: string; properties?: Record<string, string>; baseUrl?: string };
  sink?: HubspotSinkOptions;
}

async function setup(options: Setup = {}) {
  const standIn = await startHubspotStandIn({ token: TOKEN, ...options.standIn });
  running.push(standIn);
  const config = hubspotSinkSchema.parse({
    name: "hubspot",
    type: "hubspot",
    accessToken: TOKEN,
    baseUrl: standIn.url,
    ...options.config,
  });
  return { standIn, sink: createHubspotSink(config, options.sink) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);

sinkContract("HubSpot sink against the HubSpot stand-in", {
  keyedOn: "identity",
  async open() {
    const { standIn, sink } = await setup();
    return { sink, arrived: async () => [...standIn.contacts().keys()] };
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

describe("HubSpot sink against the HubSpot stand-in", () => {
  it("creates contacts with the default properties, and updates them on a replay", async () => {
    const { standIn, sink } = await setup();
    const first = people(3);
    expect(await sink.deliver(first, live())).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const created = standIn.contacts();
    expect(created.size).toBe(3);
    expect(created.get("person0@acme.com")).toMatchObject({
      email: "person0@acme.com",
      firstname: "Ada0",
      lastname: "Lovelace0",
      jobtitle: "Engineer",
      company: "Acme",
      website: "acme.com",
      industry: "Software",
      country: "GB",
      claypipe_icp_score: "80",
      claypipe_id: first[0]!.leadId,
    });
    // A dropdown on contacts: a raw count would fail the whole batch, so it is not mapped by default.
    expect(created.get("person0@acme.com")).not.toHaveProperty("numemployees");

    // The same people again (a replay, new lead ids): same contacts, new values.
    const replay = people(3).map((record) => ({
      ...record,
      row: { ...record.row, job_title: "CTO" },
    }));
    expect(failures(await sink.deliver(replay, live()))).toEqual([]);
    const updated = standIn.contacts();
    expect(updated.size).toBe(3);
    expect(updated.get("person2@acme.com")).toMatchObject({
      jobtitle: "CTO",
      hs_object_id: created.get("person2@acme.com")!.hs_object_id,
      claypipe_id: replay[2]!.leadId,
    });
  });

  it("matches by work_email first, else email, whatever its case", async () => {
    const { standIn, sink } = await setup();
    const record = sinkRecord({
      email: "ada@home.org",
      work_email: "Ada@Acme.COM",
      last_name: "L",
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    const again = sinkRecord({ email: "ADA@acme.com", first_name: "Ada" });
    expect(await sink.deliver([again], live())).toEqual([{ ok: true }]);
    expect([...standIn.contacts().keys()]).toEqual(["ada@acme.com"]);
    expect(standIn.contacts().get("ada@acme.com")).toMatchObject({
      firstname: "Ada",
      lastname: "L",
    });
  });

  it("fails records without an email for good and sends the others", async () => {
    const { standIn, sink } = await setup();
    const noEmail = sinkRecord({ linkedin_url: "https://linkedin.com/in/ada", first_name: "Ada" });
    const results = await sink.deliver([people(1)[0]!, noEmail], live());
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, retryable: false });
    expect((results[1] as { reason: string }).reason).toContain(
      "no email to upsert a HubSpot contact by",
    );
    expect(standIn.requests).toBe(1);
    expect(standIn.contacts().size).toBe(1);
  });

  it("sends 250 records as 3 batch requests of at most 100", async () => {
    const { standIn, sink } = await setup();
    const results = await sink.deliver(people(250), live());
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(250);
    // The stand-in refuses a batch over 100 inputs, so 3 accepted requests means 3 batches of ≤ 100.
    expect(standIn.requests).toBe(3);
    expect(standIn.contacts().size).toBe(250);
  });

  it("sends one contact for two records of the same person in one call", async () => {
    const { standIn, sink } = await setup();
    const early = sinkRecord({
      email: "ada@acme.com",
      job_title: "Engineer",
      last_name: "Lovelace",
    });
    const late = sinkRecord({ email: "ada@acme.com", job_title: "CTO" });
    expect(await sink.deliver([early, late], live())).toEqual([{ ok: true }, { ok: true }]);
    expect(standIn.contacts().get("ada@acme.com")).toMatchObject({
      jobtitle: "CTO",
      lastname: "Lovelace",
      claypipe_id: late.leadId,
    });
  });

  it("uses the configured properties instead of the default mapping", async () => {
    const { standIn, sink } = await setup({
      config: { properties: { firstname: "first_name", hs_lead_status: "Lead Status" } },
    });
    const record = sinkRecord({
      email: "ada@acme.com",
      first_name: "Ada",
      lead_status: "NEW",
      job_title: "CTO",
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    const contact = standIn.contacts().get("ada@acme.com")!;
    expect(contact).toMatchObject({
      email: "ada@acme.com",
      firstname: "Ada",
      hs_lead_status: "NEW",
    });
    expect(contact).not.toHaveProperty("jobtitle");
  });

  it("fails only the contact HubSpot names in a refused batch and sends the rest again", async () => {
    const { standIn, sink } = await setup();
    const bad = sinkRecord({ email: "ada@acme.com", work_email: "ada at acme", last_name: "L" });
    const results = await sink.deliver([people(1)[0]!, bad, people(1, 1)[0]!], live());
    expect(results[0]).toEqual({ ok: true });
    expect(results[2]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, retryable: false });
    expect((results[1] as { reason: string }).reason).toContain("INVALID_EMAIL");
    expect(standIn.requests).toBe(2);
    expect([...standIn.contacts().keys()].sort()).toEqual(["person0@acme.com", "person1@acme.com"]);
  });

  it("fails the whole batch with a hint when HubSpot names no contact (an unknown property)", async () => {
    const { standIn, sink } = await setup({
      standIn: {
        knownProperties: [
          "email",
          "firstname",
          "lastname",
          "jobtitle",
          "company",
          "website",
          "industry",
          "country",
          "claypipe_id",
        ],
      },
    });
    const results = await sink.deliver(people(2), live());
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retryable: false });
      const { reason } = result as { reason: string };
      expect(reason).toContain("PROPERTY_DOESNT_EXIST");
      expect(reason).toContain("claypipe_icp_score");
      expect(reason).toContain("create the property in HubSpot");
    }
    expect(standIn.contacts().size).toBe(0);
  });

  it.each([
    ["a wrong token (401)", { config: { accessToken: "pat-na1-revoked" } }, undefined],
    ["a missing scope (403)", {}, 403],
  ] as const)(
    "fails the batch for good on %s, saying what to fix",
    async (_name, options, fault) => {
      const { standIn, sink } = await setup(options);
      if (fault !== undefined) standIn.failNext(fault);
      const results = await sink.deliver(people(2), live());
      for (const result of results) {
        expect(result).toMatchObject({ ok: false, retryable: false });
        expect((result as { reason: string }).reason).toContain(
          "the HubSpot access token is invalid or lacks crm.objects.contacts.write",
        );
      }
    },
  );

  it("answers a 429 as retryable after HubSpot's rate window, and sends again after it", async () => {
    const { standIn, sink } = await setup({
      standIn: { rateLimit: { requests: 190, perMs: 300 } },
    });
    standIn.failNext(429);
    const results = await sink.deliver(people(2), live());
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 300 });
      expect((result as { reason: string }).reason).toContain("TEN_SECONDLY_ROLLING");
    }
    expect(failures(await sink.deliver(people(2), live()))).toEqual([]);
    expect(standIn.contacts().size).toBe(2);
  });

  it("answers server errors and unreachable hosts as retryable", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(502);
    const [serverError] = await sink.deliver(people(1), live());
    expect(serverError).toMatchObject({ ok: false, retryable: true });
    expect((serverError as { reason: string }).reason).toContain("502");

    await standIn.close();
    const [unreachable] = await sink.deliver(people(1), live());
    expect(unreachable).toMatchObject({ ok: false, retryable: true });
    expect((unreachable as { reason: string }).reason).toContain("could not reach HubSpot");
  });

  it("throws the abort reason when aborted, also while waiting for the rate window", async () => {
    const { sink } = await setup({ sink: { rateLimit: { requests: 1, perMs: 60_000 } } });
    const aborted = AbortSignal.abort(new Error("shutting down"));
    await expect(sink.deliver(people(1), aborted)).rejects.toThrow("shutting down");

    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    const controller = new AbortController();
    const waiting = sink.deliver(people(1, 1), controller.signal);
    controller.abort(new Error("stop waiting"));
    await expect(waiting).rejects.toThrow("stop waiting");
  });
});
