/**
 * The overview charts' data from the samples kept: each state's count over
 * time, in uPlot's column layout (times in seconds, then one array per line).
 */
import { LEAD_STATES, type LeadState } from "../core/lead-state.js";
import type { StatusSample } from "./status-sampler.js";

/** The states worth a line: the ones leads pass through. */
const CHARTED: readonly LeadState[] = LEAD_STATES.filter((state) => state !== "received");

export interface OverviewSeries {
  labels: string[];
  states: number[][];
}

export function overviewSeries(samples: readonly StatusSample[]): OverviewSeries {
  return {
    labels: [...CHARTED],
    states: [
      samples.map((sample) => Math.round(sample.at / 1000)),
      ...CHARTED.map((state) => samples.map((sample) => sample.status.states[state])),
    ],
  };
}
