/**
 * `npm run bench`: every benchmark in its quick mode, one after the other, then
 * one table of the figures — claypipe, the baseline from the same run, the
 * ratio, the goal and whether it was met — written as JSON to
 * bench/results/latest.json, with each figure's change against the JSON the
 * last run left there.
 *
 *   npm run bench                               # all, quick (about 6 minutes on 2 cores)
 *   npm run bench -- --only import,startup      # some (the others' figures stay in latest.json)
 *   npm run bench -- --list                     # what it runs
 *
 * dist/ is built first (the start-up benchmark and the service processes run
 * the built CLI). Each benchmark runs in a process of its own with BENCH_QUICK=1 and
 * BENCH_RESULTS naming a file it appends its figures to (bench-figures.ts);
 * its output goes to bench/results/logs/<name>.log. A benchmark that fails,
 * records no figure, or runs past its time limit is a failed row, and the
 * command exits 1. A goal not met is a "no" in the table, not a failure: the
 * table is the report. Full-length runs: each `npm run bench:<name>`.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { describeGoal, type Figure } from "./bench-figures.js";
import { BENCHMARKS, type BenchEntry } from "./run-all-list.js";

const RESULTS_DIR = join("bench", "results");
const LATEST = join(RESULTS_DIR, "latest.json");
const LOGS = join(RESULTS_DIR, "logs");

interface BenchRun {
  name: string;
  seconds: number;
  ok: boolean;
  problem?: string;
  figures: number;
}

/** A figure as the report keeps it: which benchmark gave it. */
type ReportedFigure = Figure & { benchmark?: string };

interface Report {
  at: string;
  commit: string | null;
  node: string;
  cores: number;
  loadBefore: number;
  loadAfter: number;
  seconds: number;
  benchmarks: BenchRun[];
  figures: ReportedFigure[];
  /** Benchmarks this run did not run (`--only`), whose figures are kept from the report before. */
  keptFromEarlier?: string[];
}

function pick(): BenchEntry[] {
  const at = process.argv.indexOf("--only");
  if (at === -1) return BENCHMARKS;
  const wanted = (process.argv[at + 1] ?? "").split(",").filter(Boolean);
  const unknown = wanted.filter((name) => !BENCHMARKS.some((entry) => entry.name === name));
  if (unknown.length > 0 || wanted.length === 0) {
    console.error(
      `--only takes benchmark names, comma-separated; ${unknown.length > 0 ? `unknown: ${unknown.join(", ")}` : "none was given"}. ` +
        `Known: ${BENCHMARKS.map((entry) => entry.name).join(", ")}`,
    );
    process.exit(2);
  }
  return BENCHMARKS.filter((entry) => wanted.includes(entry.name));
}

/** Runs one benchmark; its figures land in `resultsFile`. */
function runOne(entry: BenchEntry, resultsFile: string): Promise<Omit<BenchRun, "figures">> {
  const started = Date.now();
  const log = createWriteStream(join(LOGS, `${entry.name}.log`));
  const child = spawn(process.execPath, ["--import", "tsx", entry.file, ...(entry.args ?? [])], {
    env: { ...process.env, ...entry.env, BENCH_QUICK: "1", BENCH_RESULTS: resultsFile },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    // The whole group: a benchmark's own child processes go with it.
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, entry.limitSeconds * 1000);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      log.end();
      const seconds = (Date.now() - started) / 1000;
      const problem = timedOut
        ? `ran past its limit of ${entry.limitSeconds} s and was stopped`
        : code === 0
          ? undefined
          : `exited with ${signal ?? code}`;
      resolve({ name: entry.name, seconds, ok: problem === undefined, problem });
    });
  });
}

function readFigures(file: string): Figure[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Figure);
}

function previousReport(): Report | undefined {
  try {
    return JSON.parse(readFileSync(LATEST, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

/**
 * What a run that left benchmarks out (`--only`) keeps of the report before:
 * the other benchmarks' rows and figures, so the next full run still compares
 * every figure. A figure with no benchmark named (an older report) is kept
 * unless this run gave a figure of the same name.
 */
function keptFrom(previous: Report | undefined, ran: Set<string>, figures: ReportedFigure[]) {
  if (!previous) return { benchmarks: [], figures: [] };
  const given = new Set(figures.map((figure) => figure.figure));
  return {
    benchmarks: previous.benchmarks.filter((run) => !ran.has(run.name)),
    figures: previous.figures.filter((figure) =>
      figure.benchmark === undefined ? !given.has(figure.figure) : !ran.has(figure.benchmark),
    ),
  };
}

const number = (value: number) =>
  value.toLocaleString("en-US", {
    maximumFractionDigits: Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 3,
  });

function change(figure: Figure, before: Figure | undefined): string {
  if (!before || before.claypipe === 0) return "";
  const percent = ((figure.claypipe - before.claypipe) / before.claypipe) * 100;
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(0)}%`;
}

function printTable(figures: Figure[], before: Map<string, Figure>): void {
  const header = ["figure", "claypipe", "baseline", "ratio", "goal", "met", "vs last"];
  const rows = figures.map((figure) => [
    figure.figure,
    `${number(figure.claypipe)} ${figure.unit}`,
    figure.baseline === null
      ? "-"
      : `${number(figure.baseline)} ${figure.unit}${figure.baselineLabel ? ` (${figure.baselineLabel})` : ""}`,
    figure.ratio === null ? "-" : `${figure.ratio.toFixed(2)}×`,
    describeGoal(figure.goal, figure.unit),
    figure.met ? "yes" : "NO",
    change(figure, before.get(figure.figure)),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log(`\n${line(header)}`);
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
}

function commitOf(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--list")) {
    for (const entry of BENCHMARKS)
      console.log(`${entry.name.padEnd(12)} ${entry.file}  (limit ${entry.limitSeconds} s)`);
    return;
  }
  const entries = pick();
  mkdirSync(LOGS, { recursive: true });
  // The start-up and process benchmarks run the built CLI: build it from this checkout first.
  process.stderr.write("building dist/ … ");
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  process.stderr.write("done\n");
  const previous = previousReport();
  const before = new Map((previous?.figures ?? []).map((figure) => [figure.figure, figure]));
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const runs: BenchRun[] = [];
  const figures: ReportedFigure[] = [];
  for (const entry of entries) {
    const resultsFile = join(tmpdir(), `claypipe-bench-${process.pid}-${entry.name}.jsonl`);
    rmSync(resultsFile, { force: true });
    process.stderr.write(`${entry.name}: running (log: ${join(LOGS, `${entry.name}.log`)}) … `);
    const run = await runOne(entry, resultsFile);
    const found = readFigures(resultsFile);
    rmSync(resultsFile, { force: true });
    const problem = run.problem ?? (found.length === 0 ? "recorded no figure" : undefined);
    runs.push({ ...run, ok: problem === undefined, problem, figures: found.length });
    figures.push(...found.map((figure) => ({ ...figure, benchmark: entry.name })));
    process.stderr.write(`${problem ?? "done"} in ${run.seconds.toFixed(0)} s\n`);
  }
  const report: Report = {
    at: new Date().toISOString(),
    commit: commitOf(),
    node: process.version,
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loadavg()[0]!,
    seconds: Math.round((Date.now() - started) / 1000),
    benchmarks: runs,
    figures,
  };
  const kept = keptFrom(previous, new Set(entries.map((entry) => entry.name)), figures);
  const written: Report =
    kept.benchmarks.length === 0 && kept.figures.length === 0
      ? report
      : {
          ...report,
          benchmarks: [...kept.benchmarks, ...runs],
          figures: [...kept.figures, ...figures],
          keptFromEarlier: kept.benchmarks.map((run) => run.name),
        };
  writeFileSync(LATEST, `${JSON.stringify(written, null, 2)}\n`);
  printTable(figures, before);
  const failed = runs.filter((run) => !run.ok);
  for (const run of failed)
    console.log(`\n${run.name} failed: ${run.problem}; see ${join(LOGS, `${run.name}.log`)}`);
  const met = figures.filter((figure) => figure.met).length;
  console.log(
    `\n${figures.length} figures from ${runs.length} benchmarks in ${report.seconds} s ` +
      `(load ${loadBefore.toFixed(1)} → ${report.loadAfter.toFixed(1)} on ${report.cores} cores): ` +
      `${met} goals met, ${figures.length - met} not; written to ${LATEST}`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

await main();
