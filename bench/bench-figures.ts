/**
 * One figure of a benchmark, as `npm run bench` collects it: what claypipe
 * measured, the baseline measured in the same run, their ratio and the goal.
 * A benchmark calls recordFigure for each figure it checks; with BENCH_RESULTS
 * set (the runner sets it) the figure is appended to that file as one JSON
 * line, so each benchmark stays runnable on its own and prints its own report.
 *
 * BENCH_QUICK=1 asks a benchmark for its short run (the runner sets it).
 */
import { appendFileSync } from "node:fs";

export const QUICK = process.env.BENCH_QUICK === "1";

/** What the goal bounds: the ratio to the baseline, or claypipe's own value. */
export interface Goal {
  of: "ratio" | "value";
  atLeast?: number;
  atMost?: number;
}

export interface FigureInput {
  /** e.g. "CSV import, SQLite". */
  figure: string;
  /** e.g. "rows/s", "ms", "MB", "statements/lead". */
  unit: string;
  claypipe: number;
  /** The same measure of the baseline, from the same run; null when the goal is absolute. */
  baseline: number | null;
  /** What the baseline is, e.g. "raw BullMQ worker". */
  baselineLabel?: string;
  goal: Goal;
  /** What the benchmark checked before trusting the figure, e.g. "1,000,000 leads stored". */
  checked: string;
  /** False when a condition of the goal besides the number failed (e.g. a 429 was seen); says why. */
  unmet?: string;
}

export interface Figure extends FigureInput {
  ratio: number | null;
  met: boolean;
}

export function figureOf(input: FigureInput): Figure {
  const ratio =
    input.baseline === null || input.baseline === 0 ? null : input.claypipe / input.baseline;
  const measured = input.goal.of === "ratio" ? ratio : input.claypipe;
  const met =
    input.unmet === undefined &&
    measured !== null &&
    Number.isFinite(measured) &&
    (input.goal.atLeast === undefined || measured >= input.goal.atLeast) &&
    (input.goal.atMost === undefined || measured <= input.goal.atMost);
  return { ...input, ratio, met };
}

/** Records the figure for the runner (when it asked) and returns it with its ratio and verdict. */
export function recordFigure(input: FigureInput): Figure {
  const figure = figureOf(input);
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(figure)}\n`);
  return figure;
}

/** "≥ 0.4× baseline", "≤ 0.15 s": the goal as the table shows it. */
export function describeGoal(goal: Goal, unit: string): string {
  const suffix = goal.of === "ratio" ? "×" : ` ${unit}`;
  const show = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  const parts: string[] = [];
  if (goal.atLeast !== undefined) parts.push(`≥ ${show(goal.atLeast)}${suffix}`);
  if (goal.atMost !== undefined) parts.push(`≤ ${show(goal.atMost)}${suffix}`);
  return parts.join(", ");
}
