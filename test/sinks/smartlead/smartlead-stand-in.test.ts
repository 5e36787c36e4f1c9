// The Smartlead stand-in itself, over raw HTTP: the documented answers the sink is built against.
import { afterEach, describe, expect, it } from "vitest";
import {
  type SmartleadStandIn,
  type SmartleadStandInOptions,
  startSmartleadStandIn,
} from "./smartlead-stand-in.js";

const API_KEY = "sl_test_key_0000";
const CAMPAIGN = "1234567";
const OTHER = "7654321";
const running: SmartleadStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function start(options: Partial<SmartleadStandInOptions> = {}) {
  const standIn = await startSmartleadStandIn({
    apiKey: API_KEY,
    campaignIds: [CAMPAIGN, OTHER],
    ...options,
  });
  running.push(standIn);
  const add = async (
    leads: unknown[],
    { key = API_KEY, campaignId = CAMPAIGN, settings = {} } = {},
  ) => {
    const response = await fetch(`${standIn.url}/campaigns/${campaignId}/leads?api_key=${key}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ lead_list: leads, settings }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { standIn, add };
}

const lead = (email: string) => ({ email });

describe("Smartlead stand-in", () => {
  it("adds new leads and counts or names the others, as the import settings say", async () => {
    const { standIn, add } = await start({
      blockList: ["@rival.com"],
      unsubscribed: ["gone@acme.com"],
      bounced: ["dead@acme.com"],
    });
    standIn.seed(CAMPAIGN, "old@acme.com");
    standIn.seed(OTHER, "elsewhere@acme.com");
    const leads = ["new@acme.com", "old@acme.com", "boss@rival.com", "gone@acme.com"]
      .concat(["dead@acme.com", "elsewhere@acme.com", "nope"])
      .map(lead);
    const { status, body } = await add(leads);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      upload_count: 7,
      total_leads: 1,
      already_added_to_campaign: 1,
      block_count: 1,
      unsubscribed_leads: ["gone@acme.com"],
      bounce_count: 1,
      duplicate_count: 1,
      invalid_email_count: 1,
      invalid_emails: ["nope"],
    });
    const settings = {
      ignore_global_block_list: true,
      ignore_unsubscribe_list: true,
      ignore_duplicate_leads_in_other_campaign: true,
    };
    expect((await add(leads, { settings })).body).toMatchObject({ total_leads: 3 });
    expect(standIn.leads(CAMPAIGN).sort()).toEqual([
      "boss@rival.com",
      "elsewhere@acme.com",
      "gone@acme.com",
      "new@acme.com",
      "old@acme.com",
    ]);
  });

  it("refuses a bad key (401), an unknown campaign (404) and over 100 leads (400)", async () => {
    const { standIn, add } = await start();
    expect((await add([lead("a@acme.com")], { key: "wrong" })).status).toBe(401);
    expect((await add([lead("a@acme.com")], { campaignId: "99" })).status).toBe(404);
    const tooMany = Array.from({ length: 101 }, (_, n) => lead(`p${n}@acme.com`));
    expect((await add(tooMany)).status).toBe(400);
    expect(standIn.leads(CAMPAIGN)).toEqual([]);
  });

  it("answers 429 with Retry-After and the documented body past its window", async () => {
    // A long window, so a slow machine cannot let the 11th request through.
    const { standIn, add } = await start({ rateLimit: { requests: 10, perMs: 60_000 } });
    for (let n = 0; n < 10; n++) expect((await add([lead(`p${n}@acme.com`)])).status).toBe(200);
    const limited = await add([lead("late@acme.com")]);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(50);
    expect(limited.body).toMatchObject({ error: { code: "RATE_LIMIT_EXCEEDED" } });
    expect(standIn.rateLimited).toBe(1);
    expect(standIn.leads(CAMPAIGN)).toHaveLength(10);
  });
});
