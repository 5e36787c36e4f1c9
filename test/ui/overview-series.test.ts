import { describe, expect, it } from "vitest";
import { LEAD_STATES, type LeadState } from "../../src/core/lead-state.js";
import type { PipelineStatus } from "../../src/pipeline/pipeline-api.js";
import { overviewSeries } from "../../src/ui/overview-series.js";
import type { StatusSample } from "../../src/ui/status-sampler.js";

function sample(atSeconds: number, sent: number, dead = 0): StatusSample {
  const states = Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as Record<
    LeadState,
    number
  >;
  states.dead = dead;
  const status = {
    states,
    activity: { sent, rateLimited: 0, callbacks: 0, delivered: 0, dead },
  } as unknown as PipelineStatus;
  return { at: atSeconds * 1000, status };
}

describe("the overview's chart series", () => {
  it("has one state point per sample and no rate before a second sample", () => {
    const series = overviewSeries([sample(100, 0)]);
    expect(series.states[0]).toEqual([100]);
    expect(series.rates[0]).toEqual([]);
  });

  it("takes each rate over the minute before the sample, not over one tick", () => {
    // 10 rows in the first 2 s, then nothing for a minute.
    const samples = [sample(0, 0), sample(2, 10)];
    for (let at = 4; at <= 62; at += 2) samples.push(sample(at, 10));
    const { rates } = overviewSeries(samples);
    const sent = rates[1]!;
    expect(sent[0]).toBe(300); // 10 in 2 s: all the window there is yet
    expect(sent[29]).toBeCloseTo(10, 0); // at 60 s: 10 over the minute
    expect(sent.at(-1)).toBe(0); // at 62 s the burst has left the window
  });

  it("counts newly dead leads only: a replay emptying the DLQ is not a negative rate", () => {
    const { rates } = overviewSeries([sample(0, 0, 5), sample(30, 0, 0)]);
    expect(rates[5]).toEqual([0]);
  });
});
