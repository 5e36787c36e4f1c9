// HubSpot's burst limit, scaled down: the stand-in admits 19 requests per 1,000 ms
// (190 per 10 s, a tenth of the time) and answers 429 past that.
import { afterEach, describe, expect, it } from "vitest";
import { hubspotSinkSchema } from "../../../src/config/sink-schema.js";
import { createHubspotSink } from "../../../src/sinks/hubspot/hubspot-sink.js";
import type { SinkRecord } from "../../../src/sinks/sink.js";
import { type HubspotStandIn, startHubspotStandIn } from "../../stand-ins/hubspot-stand-in.js";
import { people } from "../../stand-ins/sink-records.js";

const TOKEN = "pat-na1-0000-test";
const WINDOW = { requests: 19, perMs: 1_000 };
const running: HubspotStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function burst(
  sinkWindow: { requests: number; perMs: number },
  records: SinkRecord[],
  size: number,
) {
  const standIn = await startHubspotStandIn({ token: TOKEN, rateLimit: WINDOW });
  running.push(standIn);
  const config = hubspotSinkSchema.parse({
    name: "hubspot",
    type: "hubspot",
    accessToken: TOKEN,
    baseUrl: standIn.url,
  });
  const sink = createHubspotSink(config, { rateLimit: sinkWindow });
  const batches = Array.from({ length: Math.ceil(records.length / size) }, (_, index) =>
    records.slice(index * size, (index + 1) * size),
  );
  // Every batch at once, as several delivery workers sharing one sink would send them.
  const results = (
    await Promise.all(batches.map((batch) => sink.deliver(batch, AbortSignal.timeout(25_000))))
  ).flat();
  return { standIn, results };
}

describe("HubSpot sink rate window", () => {
  it("keeps a burst of 400 records in batches of 5 under the window: zero 429s", async () => {
    const { standIn, results } = await burst(WINDOW, people(400), 5);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(standIn.rateLimited).toBe(0);
    expect(standIn.requests).toBe(80);
    expect(standIn.contacts().size).toBe(400);
  });

  it("gets 429s from the stand-in when the sink's window is wider than HubSpot's", async () => {
    // The control for the test above: the stand-in does enforce the window.
    const { standIn, results } = await burst({ requests: 40, perMs: 1_000 }, people(40), 1);
    expect(standIn.rateLimited).toBeGreaterThan(0);
    const limited = results.filter((result) => !result.ok);
    expect(limited).toHaveLength(standIn.rateLimited);
    for (const result of limited) {
      expect(result).toMatchObject({ retryable: true, retryAfterMs: WINDOW.perMs });
    }
  });
});
