import { afterEach, describe, expect, it } from "vitest";
import { instantlySinkSchema } from "../../../src/config/sink-schema.js";
import { createInstantlySink } from "../../../src/sinks/instantly/instantly-sink.js";
import type { SinkResult } from "../../../src/sinks/sink.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { captureLogs } from "../capture-logs.js";
import { sinkContract } from "../sink-contract.js";
import {
  type InstantlyStandIn,
  type InstantlyStandInOptions,
  startInstantlyStandIn,
} from "./instantly-stand-in.js";

const API_KEY = "instantly-test-key-0000";
const CAMPAIGN = "019cc043-e39c-7d91-a325-6615db0e1b14";
const OTHER_CAMPAIGN = "019cc043-e39c-7d91-a325-000000000002";
const running: InstantlyStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: Partial<InstantlyStandInOptions>;
  config?: Record<string, unknown>;
  logs?: string[];
}

async function setup(options: Setup = {}) {
  const standIn = await startInstantlyStandIn({
    apiKey: API_KEY,
    campaignIds: [CAMPAIGN, OTHER_CAMPAIGN],
    ...options.standIn,
  });
  running.push(standIn);
  const config = instantlySinkSchema.parse({
    name: "outbound",
    type: "instantly",
    apiKey: API_KEY,
    campaignId: CAMPAIGN,
    baseUrl: standIn.url,
    ratePerSecond: 1000,
    ...options.config,
  });
  const logger = options.logs ? captureLogs(options.logs).logger : undefined;
  return { standIn, sink: createInstantlySink(config, logger ? { logger } : {}) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);
const reasonOf = (result: SinkResult | undefined) => (result as { reason: string }).reason;

sinkContract("Instantly sink against the Instantly stand-in", {
  keyedOn: "identity",
  async open() {
    const { standIn, sink } = await setup();
    return { sink, arrived: async () => standIn.leads(CAMPAIGN) };
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

describe("Instantly sink against the Instantly stand-in", () => {
  it("adds leads with the default fields and custom variables", async () => {
    const { standIn, sink } = await setup();
    const record = sinkRecord({
      work_email: "Ada@Acme.com",
      email: "ada@home.org",
      first_name: "Ada",
      last_name: "Lovelace",
      company: "Acme",
      domain: "acme.com",
      job_title: "CTO",
      icebreaker: "Loved your talk on engines",
      employee_count: 250,
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(standIn.lead(CAMPAIGN, "ada@acme.com")).toEqual({
      email: "ada@acme.com",
      first_name: "Ada",
      last_name: "Lovelace",
      company_name: "Acme",
      website: "acme.com",
      personalization: "Loved your talk on engines",
      custom_variables: { job_title: "CTO" },
    });
  });

  it("uses the configured fields and custom variables instead of the defaults", async () => {
    const { standIn, sink } = await setup({
      config: {
        fields: { first_name: "Given Name" },
        customVariables: { score: "icp_score", pain: "pain_point" },
      },
    });
    const record = sinkRecord({
      email: "ada@acme.com",
      given_name: "Ada",
      last_name: "Lovelace",
      icp_score: 91,
      pain_point: "manual data entry",
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(standIn.lead(CAMPAIGN, "ada@acme.com")).toEqual({
      email: "ada@acme.com",
      first_name: "Ada",
      custom_variables: { score: "91", pain: "manual data entry" },
    });
  });

  it("sends 2,500 records as 3 uploads of at most 1,000", async () => {
    const { standIn, sink } = await setup();
    const results = await sink.deliver(people(2500), live());
    expect(results).toHaveLength(2500);
    expect(failures(results)).toEqual([]);
    // The stand-in refuses an upload over 1,000 leads, so these counts are the batches.
    expect(standIn.uploads).toEqual([1000, 1000, 500]);
    expect(standIn.leads(CAMPAIGN)).toHaveLength(2500);
  });

  it("counts a lead already in the campaign as delivered and adds it no second time", async () => {
    const { standIn, sink } = await setup();
    standIn.seed(CAMPAIGN, "person1@acme.com");
    expect(await sink.deliver(people(3), live())).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect(await sink.deliver(people(3), live())).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect([...standIn.leads(CAMPAIGN)].sort()).toEqual([
      "person0@acme.com",
      "person1@acme.com",
      "person2@acme.com",
    ]);
    expect(standIn.uploads).toEqual([3, 3]);
  });

  it("adds a lead in another campaign, or skips it as delivered with skipIfInWorkspace", async () => {
    const { standIn, sink } = await setup();
    standIn.seed(OTHER_CAMPAIGN, "person0@acme.com");
    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    expect(standIn.leads(CAMPAIGN)).toEqual(["person0@acme.com"]);

    const skipping = await setup({ config: { skipIfInWorkspace: true } });
    skipping.standIn.seed(OTHER_CAMPAIGN, "person0@acme.com");
    expect(await skipping.sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    expect(skipping.standIn.leads(CAMPAIGN)).toEqual([]);
  });

  it("tells blocklisted, invalid and present leads apart in one upload by sending halves again", async () => {
    const { standIn, sink } = await setup({ standIn: { blocklist: ["@rival.com"] } });
    standIn.seed(CAMPAIGN, "old@acme.com");
    const records = [
      sinkRecord({ email: "new@acme.com" }),
      sinkRecord({ email: "boss@rival.com" }),
      sinkRecord({ email: "old@acme.com" }),
      sinkRecord({ email: "not an email" }),
    ];
    const results = await sink.deliver(records, live());
    expect(results[0]).toEqual({ ok: true });
    expect(results[2]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[1])).toContain("blocklist");
    expect(results[3]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[3])).toContain("invalid");
    // The first upload named only the created lead; the three others went again, split.
    expect(standIn.uploads[0]).toBe(4);
    expect(standIn.uploads.length).toBeGreaterThan(1);
    expect(standIn.leads(CAMPAIGN).sort()).toEqual(["new@acme.com", "old@acme.com"]);
  });

  it("fails leads past the plan's limit for good, saying so, and delivers those within it", async () => {
    const { standIn, sink } = await setup({ standIn: { remainingInPlan: 2 } });
    const results = await sink.deliver(people(3), live());
    expect(results.slice(0, 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(results[2]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[2])).toContain("plan takes no more leads");
    expect(standIn.leads(CAMPAIGN)).toEqual(["person0@acme.com", "person1@acme.com"]);
  });

  it("fails a record without an email for good and sends the others", async () => {
    const { standIn, sink } = await setup();
    const noEmail = sinkRecord({ linkedin_url: "https://linkedin.com/in/ada", first_name: "Ada" });
    const results = await sink.deliver([people(1)[0]!, noEmail], live());
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[1])).toContain("no email");
    expect(standIn.uploads).toEqual([1]);
  });

  it.each([
    ["a wrong key (401)", { config: { apiKey: "instantly-revoked" } }, "create an API v2 key"],
    ["an unknown campaign (404)", { config: { campaignId: "019cc043-0000" } }, "campaignId"],
  ] as const)(
    "fails the upload for good on %s, saying what to fix",
    async (_name, options, hint) => {
      const { standIn, sink } = await setup(options);
      const results = await sink.deliver(people(2), live());
      for (const result of results) {
        expect(result).toMatchObject({ ok: false, retryable: false });
        expect(reasonOf(result)).toContain(hint);
      }
      expect(standIn.leads(CAMPAIGN)).toEqual([]);
    },
  );

  it("answers a 429 as retryable after Retry-After, sends nothing meanwhile, then delivers", async () => {
    const { standIn, sink } = await setup({
      standIn: { rateLimit: { requests: 1, perMs: 1_000 }, retryAfterSeconds: 1 },
    });
    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    const [limited] = await sink.deliver(people(1, 1), live());
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    expect(reasonOf(limited)).toContain("429");
    expect(standIn.rateLimited).toBe(1);

    // Within the pause the sink does not knock again.
    const [paused] = await sink.deliver(people(1, 1), live());
    expect(paused).toMatchObject({ ok: false, retryable: true });
    expect(standIn.uploads).toHaveLength(2);

    await new Promise((resolve) =>
      setTimeout(resolve, (limited as { retryAfterMs: number }).retryAfterMs),
    );
    expect(await sink.deliver(people(1, 1), live())).toEqual([{ ok: true }]);
    expect(standIn.leads(CAMPAIGN).sort()).toEqual(["person0@acme.com", "person1@acme.com"]);
  });

  it("waits a second after a 429 without Retry-After", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(429);
    const [limited] = await sink.deliver(people(1), live());
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
  });

  it("answers server errors and unreachable hosts as retryable", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(502);
    const [serverError] = await sink.deliver(people(1), live());
    expect(serverError).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(serverError)).toContain("502");

    await standIn.close();
    const [unreachable] = await sink.deliver(people(1), live());
    expect(unreachable).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(unreachable)).toContain("could not reach Instantly");
  });

  it("keeps the API key out of every reason and log line", async () => {
    const logs: string[] = [];
    const { standIn, sink } = await setup({ logs, config: { apiKey: "instantly-wrong-key" } });
    const reasons = (await sink.deliver(people(2), live())).map(reasonOf);
    standIn.failNext(503);
    reasons.push(...(await sink.deliver(people(1), live())).map(reasonOf));
    await standIn.close();
    reasons.push(...(await sink.deliver(people(1), live())).map(reasonOf));
    expect(reasons).toHaveLength(4);
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [...reasons, ...logs]) expect(text).not.toContain("instantly-wrong-key");
  });
});
