/**
 * status().activity on the standard tier against the Clay emulator: the
 * running totals a dashboard turns into rates. Rows sent, callbacks and
 * deliveries grow with each batch; 429s grow only while Clay answers 429;
 * dead follows the DLQ.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Pipeline, PipelineActivity } from "../../src/index.js";
import { makeTempDir } from "../temp-dirs.js";
import {
  startService,
  startTierEmulator,
  tierClay,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();

const leads = (batch: string, count: number) =>
  Array.from({ length: count }, (_, index) => ({ email: `p${index}@${batch}.example` }));

async function settled(pipeline: Pipeline, expected: { delivered: number; dead: number }) {
  await until(`${expected.delivered} delivered and ${expected.dead} dead`, async () => {
    const { states } = await pipeline.status();
    return states.delivered === expected.delivered && states.dead === expected.dead;
  });
  return (await pipeline.status()).activity;
}

describe("status().activity", () => {
  it("counts rows sent, 429s, callbacks, deliveries and dead leads as they happen", async () => {
    const running = await startTierEmulator(cleanup);
    const { pipeline } = await startService(cleanup, {
      ...tierSettings(cleanup, "standard", "activity"),
      clay: tierClay(running),
      sinks: [{ type: "file", name: "out", path: join(makeTempDir("activity"), "out.jsonl") }],
      routes: { default: ["out"] },
      logLevel: "silent",
    });
    const zero: PipelineActivity = { sent: 0, rateLimited: 0, callbacks: 0, delivered: 0, dead: 0 };
    expect((await pipeline.status()).activity).toEqual(zero);

    await pipeline.submit(leads("first", 5));
    const first = await settled(pipeline, { delivered: 5, dead: 0 });
    expect(first).toEqual({ sent: 5, rateLimited: 0, callbacks: 5, delivered: 5, dead: 0 });

    // Clay answers 429 for a while: the same rows go once it stops, after some 429s.
    running.control.setFaults({ rateLimitStorm: { durationMs: 1_500, retryAfterSeconds: 1 } });
    await pipeline.submit(leads("storm", 4));
    const storm = await settled(pipeline, { delivered: 9, dead: 0 });
    running.control.clearFaults();
    expect(storm).toMatchObject({ sent: 9, callbacks: 9, delivered: 9, dead: 0 });
    expect(storm.rateLimited).toBeGreaterThan(0);
    // Every 429 Clay answered: the storm's (counted as faults) and any of its own rate.
    const { requests } = running.control.snapshot().workspaces[0]!;
    expect(storm.rateLimited).toBe(requests.faulted + requests.rateLimited);

    // Clay refuses the rows outright: the leads go to the DLQ, nothing is enriched or delivered.
    running.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    await pipeline.submit(leads("refused", 2));
    const refused = await settled(pipeline, { delivered: 9, dead: 2 });
    expect(refused).toMatchObject({
      rateLimited: storm.rateLimited,
      callbacks: 9,
      delivered: 9,
      dead: 2,
    });
  });
});
