// The Instantly stand-in itself, over raw HTTP: the documented answers the sink is built against.
import { afterEach, describe, expect, it } from "vitest";
import {
  type InstantlyStandIn,
  type InstantlyStandInOptions,
  startInstantlyStandIn,
} from "./instantly-stand-in.js";

const API_KEY = "instantly-test-key-0000";
const CAMPAIGN = "019cc043-e39c-7d91-a325-6615db0e1b14";
const running: InstantlyStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function start(options: Partial<InstantlyStandInOptions> = {}) {
  const standIn = await startInstantlyStandIn({
    apiKey: API_KEY,
    campaignIds: [CAMPAIGN],
    ...options,
  });
  running.push(standIn);
  const add = async (leads: unknown[], key = API_KEY, campaignId = CAMPAIGN) => {
    const response = await fetch(`${standIn.url}/leads/add`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ campaign_id: campaignId, leads }),
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

describe("Instantly stand-in", () => {
  it("adds new leads, counts present, blocklisted and invalid ones, and names the created", async () => {
    const { standIn, add } = await start({ blocklist: ["@rival.com"] });
    standIn.seed(CAMPAIGN, "old@acme.com");
    const { status, body } = await add([
      lead("New@Acme.com"),
      lead("old@acme.com"),
      lead("boss@rival.com"),
      lead("nope"),
      lead("new@acme.com"),
    ]);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "success",
      total_sent: 5,
      leads_uploaded: 1,
      duplicated_leads: 1,
      in_blocklist: 1,
      invalid_email_count: 1,
      duplicate_email_count: 1,
    });
    expect(body.created_leads).toEqual([
      { id: expect.any(String), email: "new@acme.com", index: 0 },
    ]);
    expect(standIn.leads(CAMPAIGN)).toEqual(["old@acme.com", "new@acme.com"]);
  });

  it("refuses a bad key (401), an unknown campaign (404) and over 1,000 leads (400)", async () => {
    const { standIn, add } = await start();
    expect((await add([lead("a@acme.com")], "wrong")).status).toBe(401);
    expect((await add([lead("a@acme.com")], API_KEY, "no-such-campaign")).status).toBe(404);
    const tooMany = Array.from({ length: 1001 }, (_, n) => lead(`p${n}@acme.com`));
    expect((await add(tooMany)).status).toBe(400);
    expect(standIn.leads(CAMPAIGN)).toEqual([]);
  });

  it("answers 429 past its window, with Retry-After when given one", async () => {
    const { standIn, add } = await start({
      rateLimit: { requests: 2, perMs: 60_000 },
      retryAfterSeconds: 7,
    });
    expect((await add([lead("a@acme.com")])).status).toBe(200);
    expect((await add([lead("b@acme.com")])).status).toBe(200);
    const limited = await add([lead("c@acme.com")]);
    expect(limited).toMatchObject({ status: 429, retryAfter: "7" });
    expect(standIn.rateLimited).toBe(1);
    expect(standIn.leads(CAMPAIGN)).toEqual(["a@acme.com", "b@acme.com"]);
  });
});
