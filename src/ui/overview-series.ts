/**
 * The overview charts' data from the samples kept, in uPlot's column layout
 * (times in seconds, then one array per line): each state's count over time,
 * and per minute the growth of the running totals over the minute before each
 * sample (rows sent, 429s, callbacks, deliveries, and leads newly dead).
 */
import { LEAD_STATES, type LeadState } from "../core/lead-state.js";
import type { PipelineActivity } from "../pipeline/pipeline-api.js";
import type { StatusSample } from "./status-sampler.js";

/** The states worth a line: the ones leads pass through. */
const CHARTED: readonly LeadState[] = LEAD_STATES.filter((state) => state !== "received");

const RATES: ReadonlyArray<[keyof PipelineActivity, string]> = [
  ["sent", "sent to Clay"],
  ["rateLimited", "429s"],
  ["callbacks", "callbacks"],
  ["delivered", "delivered"],
  ["dead", "dead"],
];

export interface OverviewSeries {
  labels: string[];
  states: number[][];
  rateLabels: string[];
  rates: number[][];
}

export function overviewSeries(samples: readonly StatusSample[]): OverviewSeries {
  return {
    labels: [...CHARTED],
    states: [
      samples.map((sample) => Math.round(sample.at / 1000)),
      ...CHARTED.map((state) => samples.map((sample) => sample.status.states[state])),
    ],
    rateLabels: RATES.map(([, label]) => label),
    rates: ratesPerMinute(samples),
  };
}

/** Rates are taken over the minute before each sample, so a burst in one 2 s tick does not show as 30× its size. */
const RATE_WINDOW_MS = 60_000;

function ratesPerMinute(samples: readonly StatusSample[]): number[][] {
  const pairs: Array<readonly [StatusSample, StatusSample]> = [];
  let start = 0;
  for (let i = 1; i < samples.length; i++) {
    const later = samples[i]!;
    while (start < i - 1 && later.at - samples[start + 1]!.at >= RATE_WINDOW_MS) start++;
    pairs.push([samples[start]!, later]);
  }
  return [
    pairs.map(([, later]) => Math.round(later.at / 1000)),
    ...RATES.map(([key]) =>
      pairs.map(([earlier, later]) => {
        const grown = later.status.activity[key] - earlier.status.activity[key];
        // `dead` falls when leads are replayed: only newly dead leads are a rate.
        const minutes = (later.at - earlier.at) / 60_000;
        return minutes > 0 ? Math.round((Math.max(0, grown) / minutes) * 10) / 10 : 0;
      }),
    ),
  ];
}
