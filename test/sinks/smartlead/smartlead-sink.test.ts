import { afterEach, describe, expect, it } from "vitest";
import { smartleadSinkSchema } from "../../../src/config/sink-schema.js";
import type { SinkResult } from "../../../src/sinks/sink.js";
import { createSmartleadSink } from "../../../src/sinks/smartlead/smartlead-sink.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { captureLogs } from "../capture-logs.js";
import { sinkContract } from "../sink-contract.js";
import {
  type SmartleadStandIn,
  type SmartleadStandInOptions,
  startSmartleadStandIn,
} from "./smartlead-stand-in.js";

// Characters a URL encodes, so the test sees the key scrubbed in both forms.
const API_KEY = "sl_0f9e+8d7c/6b5a=4";
const CAMPAIGN = "1234567";
const OTHER_CAMPAIGN = "7654321";
const running: SmartleadStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: Partial<SmartleadStandInOptions>;
  config?: Record<string, unknown>;
  logs?: string[];
}

async function setup(options: Setup = {}) {
  const standIn = await startSmartleadStandIn({
    apiKey: API_KEY,
    campaignIds: [CAMPAIGN, OTHER_CAMPAIGN],
    ...options.standIn,
  });
  running.push(standIn);
  const config = smartleadSinkSchema.parse({
    name: "nurture",
    type: "smartlead",
    apiKey: API_KEY,
    campaignId: Number(CAMPAIGN),
    baseUrl: standIn.url,
    ratePerSecond: 1000,
    ...options.config,
  });
  const logger = options.logs ? captureLogs(options.logs).logger : undefined;
  return { standIn, sink: createSmartleadSink(config, logger ? { logger } : {}) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);
const reasonOf = (result: SinkResult | undefined) => (result as { reason: string }).reason;

sinkContract("Smartlead sink against the Smartlead stand-in", {
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

describe("Smartlead sink against the Smartlead stand-in", () => {
  it("adds leads with the default fields and custom fields, and the import settings", async () => {
    const { standIn, sink } = await setup();
    const record = sinkRecord({
      email: "Ada@Acme.com",
      first_name: "Ada",
      last_name: "Lovelace",
      company: "Acme",
      domain: "acme.com",
      country: "GB",
      linkedin_url: "https://linkedin.com/in/ada",
      job_title: "CTO",
      personalization: "Loved your talk on engines",
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(standIn.lead(CAMPAIGN, "ada@acme.com")).toEqual({
      email: "ada@acme.com",
      first_name: "Ada",
      last_name: "Lovelace",
      company_name: "Acme",
      website: "acme.com",
      location: "GB",
      linkedin_profile: "https://linkedin.com/in/ada",
      custom_fields: { job_title: "CTO", personalization: "Loved your talk on engines" },
    });
  });

  it("takes the campaign id as a number or a string of digits, and nothing else", () => {
    const base = { name: "n", type: "smartlead", apiKey: API_KEY };
    expect(smartleadSinkSchema.parse({ ...base, campaignId: 42 }).campaignId).toBe("42");
    expect(smartleadSinkSchema.parse({ ...base, campaignId: "42" }).campaignId).toBe("42");
    expect(smartleadSinkSchema.safeParse({ ...base, campaignId: "camp-42" }).success).toBe(false);
  });

  it("sends 250 records as 3 uploads of at most 100", async () => {
    const { standIn, sink } = await setup();
    const results = await sink.deliver(people(250), live());
    expect(results).toHaveLength(250);
    expect(failures(results)).toEqual([]);
    // The stand-in refuses an upload over 100 leads, so these counts are the batches.
    expect(standIn.uploads).toEqual([100, 100, 50]);
    expect(standIn.leads(CAMPAIGN)).toHaveLength(250);
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

  it("leaves a lead in another campaign out as delivered, or adds it when told to", async () => {
    const { standIn, sink } = await setup();
    standIn.seed(OTHER_CAMPAIGN, "person0@acme.com");
    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    expect(standIn.leads(CAMPAIGN)).toEqual([]);

    const adding = await setup({ config: { ignoreDuplicateLeadsInOtherCampaign: true } });
    adding.standIn.seed(OTHER_CAMPAIGN, "person0@acme.com");
    expect(await adding.sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    expect(adding.standIn.leads(CAMPAIGN)).toEqual(["person0@acme.com"]);
  });

  it("fails blocked, unsubscribed, bounced and invalid leads for good and delivers the rest", async () => {
    const { standIn, sink } = await setup({
      standIn: {
        blockList: ["@rival.com"],
        unsubscribed: ["gone@acme.com"],
        bounced: ["dead@acme.com"],
      },
    });
    standIn.seed(CAMPAIGN, "old@acme.com");
    const emails = [
      "new@acme.com",
      "boss@rival.com",
      "gone@acme.com",
      "dead@acme.com",
      "old@acme.com",
      "not-an-email",
    ];
    const results = await sink.deliver(
      emails.map((email) => sinkRecord({ email })),
      live(),
    );
    expect(results[0]).toEqual({ ok: true });
    expect(results[4]).toEqual({ ok: true });
    const expected = [
      [1, "global block list"],
      [2, "unsubscribed"],
      [3, "bounced"],
      [5, "invalid"],
    ] as const;
    for (const [index, words] of expected) {
      expect(results[index]).toMatchObject({ ok: false, retryable: false });
      expect(reasonOf(results[index])).toContain(words);
    }
    expect(standIn.leads(CAMPAIGN).sort()).toEqual(["new@acme.com", "old@acme.com"]);
  });

  it("adds a lead on the block list when ignoreGlobalBlockList is set", async () => {
    const { standIn, sink } = await setup({
      standIn: { blockList: ["boss@rival.com"] },
      config: { ignoreGlobalBlockList: true },
    });
    expect(await sink.deliver([sinkRecord({ email: "boss@rival.com" })], live())).toEqual([
      { ok: true },
    ]);
    expect(standIn.leads(CAMPAIGN)).toEqual(["boss@rival.com"]);
  });

  it.each([
    ["a wrong key (401)", { config: { apiKey: "sl_revoked" } }, "Settings → API Key"],
    ["an unknown campaign (404)", { config: { campaignId: 99 } }, "check the sink's campaignId"],
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
      standIn: { rateLimit: { requests: 1, perMs: 1_000 } },
    });
    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    const [limited] = await sink.deliver(people(1, 1), live());
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    expect(reasonOf(limited)).toContain("429");
    expect(standIn.rateLimited).toBe(1);

    const [paused] = await sink.deliver(people(1, 1), live());
    expect(paused).toMatchObject({ ok: false, retryable: true });
    expect(standIn.uploads).toHaveLength(2);

    await new Promise((resolve) =>
      setTimeout(resolve, (limited as { retryAfterMs: number }).retryAfterMs),
    );
    expect(await sink.deliver(people(1, 1), live())).toEqual([{ ok: true }]);
    expect(standIn.leads(CAMPAIGN).sort()).toEqual(["person0@acme.com", "person1@acme.com"]);
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
    expect(reasonOf(unreachable)).toContain("could not reach Smartlead");
  });

  it("keeps the API key out of every reason and log line, also when Smartlead echoes the address", async () => {
    const logs: string[] = [];
    const { standIn, sink } = await setup({ logs });
    const reasons: string[] = [];
    const collect = async () => {
      reasons.push(...(await sink.deliver(people(1), live())).map(reasonOf));
    };
    // Answers that quote the request line, query and key included.
    standIn.failNext(400);
    await collect();
    standIn.failNext(503);
    await collect();
    const wrongPath = await setup({ logs, config: { baseUrl: `${standIn.url}/v0` } });
    reasons.push(...(await wrongPath.sink.deliver(people(1), live())).map(reasonOf));
    await standIn.close();
    await collect();

    expect(reasons).toHaveLength(4);
    expect(reasons.filter((reason) => reason.includes("api_key=(api key)"))).toHaveLength(3);
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [...reasons, ...logs]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(encodeURIComponent(API_KEY));
    }
  });
});
