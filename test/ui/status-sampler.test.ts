import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import type { PipelineStatus } from "../../src/pipeline/pipeline-api.js";
import { createStatusSampler } from "../../src/ui/status-sampler.js";

describe("the dashboard's status sampler", () => {
  it("reads often while watched, but never more than a tenth of the time on a slow store", async () => {
    let reads = 0;
    const sampler = createStatusSampler({
      readStatus: async () => {
        reads++;
        await sleep(100); // a status read as slow as a big store's
        return {} as PipelineStatus;
      },
      clock: systemClock,
      logger: silentLogger(),
      watchedEveryMs: 10,
    });
    const unsubscribe = sampler.subscribe(() => {});
    await sleep(1500);
    unsubscribe();
    sampler.stop();
    // At a 10 ms interval this would be about 13 reads; ten times 100 ms apart, at most 2.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(3);
  });

  it("keeps one hour of samples and hands each new one to its watchers", async () => {
    let now = 0;
    const sampler = createStatusSampler({
      readStatus: async () => ({}) as PipelineStatus,
      clock: { now: () => now, sleep: systemClock.sleep },
      logger: silentLogger(),
      watchedEveryMs: 5,
      keepMs: 1000,
    });
    const seen: number[] = [];
    const unsubscribe = sampler.subscribe((sample) => seen.push(sample.at));
    for (const at of [0, 600, 1200, 1800]) {
      now = at;
      await waitFor(() => seen.at(-1) === at);
    }
    unsubscribe();
    sampler.stop();
    expect(sampler.samples().map((sample) => sample.at)).toEqual([1200, 1800]);
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await sleep(5);
  if (!done()) throw new Error("the sampler did not read");
}
