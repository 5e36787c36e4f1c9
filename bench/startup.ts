/**
 * Start-up time and memory, each next to its baseline in the same run:
 *
 * - `claypipe --help` (the built dist/cli/main.js): median wall time of N
 *   spawns, beside `node -e 0`'s, the two alternating.
 * - the library import for a direct-tier user: a fresh process times
 *   `await import("claypipe")` (the built dist/index.js) in-process, then loads
 *   a direct-tier config and creates and stops its pipeline (printed as the
 *   "first pipeline" time, not a figure); beside `node -e 0`'s wall time.
 * - idle `claypipe start` on the standard tier: resident memory (VmRSS) a few
 *   seconds after it says it is listening, beside a bare Fastify server's
 *   (one route) after the same wait. Both must answer GET /healthz.
 *
 *   npm run bench:startup                 (21 spawns, 3 starts)
 *   BENCH_QUICK=1 npm run bench:startup   (7 spawns, 1 start: well under 30 s)
 *
 * It measures what `npm run build` left in dist/ and builds nothing: when dist/
 * is missing or older than src/, it says so and exits 1.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort } from "../src/demo/free-port.js";
import { newestMtime } from "../test/build-once.js";
import { describeGoal, type FigureInput, QUICK, recordFigure } from "./bench-figures.js";

const CLI = resolve("dist/cli/main.js");
const ENTRY = resolve("dist/index.js");
const SPAWNS = QUICK ? 7 : 21;
const STARTS = QUICK ? 1 : 3;
const IDLE_MS = QUICK ? 2000 : 5000;
const NODE = process.execPath;

function requireFreshBuild(): void {
  const built = [CLI, ENTRY].filter((file) => existsSync(file));
  const stale =
    built.length < 2 || Math.min(...built.map((f) => statSync(f).mtimeMs)) < newestMtime("src");
  if (stale) {
    console.error(
      "dist/ is missing or older than src/: run `npm run build` first (this bench measures the build)",
    );
    process.exit(1);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of one process run to its end, in ms; its stdout, checked by the caller. */
function timedRun(args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync(NODE, args, { encoding: "utf8" });
  const ms = performance.now() - started;
  if (run.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
}

function helpFigure(): FigureInput {
  const claypipe: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const help = timedRun([CLI, "--help"]);
    if (!help.stdout.includes("Usage: claypipe") || !help.stdout.includes("start")) {
      throw new Error(`claypipe --help printed no usage: ${help.stdout.slice(0, 200)}`);
    }
    claypipe.push(help.ms);
    bare.push(timedRun(["-e", "0"]).ms);
  }
  return {
    figure: "claypipe --help",
    unit: "s",
    claypipe: median(claypipe) / 1000,
    baseline: median(bare) / 1000,
    baselineLabel: "node -e 0",
    goal: { of: "value", atMost: 0.15 },
    checked: `${SPAWNS} spawns each, every --help printed the command list`,
  };
}

/** What the direct-tier user's process does; prints its timings as JSON. */
function directUserScript(configPath: string): string {
  return `
const started = performance.now();
const cpu = process.cpuUsage();
const { createPipeline, loadConfigFile } = await import(${JSON.stringify(pathToFileURL(ENTRY).href)});
const importMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
const importCpuMs = (user + system) / 1000;
const pipeline = await createPipeline(loadConfigFile(${JSON.stringify(configPath)}));
const status = await pipeline.status();
await pipeline.stop();
const firstPipelineMs = performance.now() - started;
console.log(JSON.stringify({ importMs, importCpuMs, firstPipelineMs, tier: status.tier }));`;
}

function directConfig(dir: string): string {
  const path = join(dir, "direct.config.yaml");
  const yaml = `tier: direct
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 10, burst: 10 }
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/v3/sources/webhook/pull-in-data-from-a-webhook-x
stateDir: ${join(dir, "direct-state")}
logLevel: silent
`;
  writeFileSync(path, yaml);
  return path;
}

function importFigure(dir: string): {
  figure: FigureInput;
  importCpuMs: number;
  firstPipelineMs: number;
} {
  const script = directUserScript(directConfig(dir));
  const imports: number[] = [];
  const importCpus: number[] = [];
  const firstPipelines: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const run = timedRun(["--input-type=module", "-e", script]);
    const result = JSON.parse(run.stdout) as {
      importMs: number;
      importCpuMs: number;
      firstPipelineMs: number;
      tier: string;
    };
    if (result.tier !== "direct") throw new Error(`the pipeline was ${result.tier}, not direct`);
    imports.push(result.importMs);
    importCpus.push(result.importCpuMs);
    firstPipelines.push(result.firstPipelineMs);
    bare.push(timedRun(["-e", "0"]).ms);
  }
  return {
    figure: {
      figure: "library import (direct tier)",
      unit: "ms",
      claypipe: median(imports),
      baseline: median(bare),
      baselineLabel: "node -e 0 (whole process)",
      goal: { of: "value", atMost: 100 },
      checked: `${SPAWNS} fresh processes, each then created and stopped a direct-tier pipeline`,
    },
    importCpuMs: median(importCpus),
    firstPipelineMs: median(firstPipelines),
  };
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${child.pid}`);
  return Number(kb) / 1024;
}

/** Spawns node with args, resolves once stdout matches `ready`; rejects if it exits first. */
function spawnReady(args: string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(NODE, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) done(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => fail(new Error(`exited ${code} before ready: ${output}`)));
  });
}

async function idleRss(child: ChildProcess, port: number): Promise<number> {
  await new Promise((done) => setTimeout(done, IDLE_MS));
  const rss = rssMb(child);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  if (health.status !== 200) throw new Error(`GET /healthz answered ${health.status}`);
  return rss;
}

async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit"); // the listener that failed a start that never got ready
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await exited;
}

function standardConfig(dir: string, port: number): string {
  const path = join(dir, "standard.config.yaml");
  const yaml = `tier: standard
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 10, burst: 20 }
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/v3/sources/webhook/pull-in-data-from-a-webhook-x
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: "\${CB_SECRET}"
sources:
  - { name: api, table: leads }
server: { port: ${port}, apiKeys: [ "\${API_KEY}" ] }
store: { sqlite: { path: ${join(dir, `state-${port}`, "claypipe.db")} } }
sinks:
  - { name: out, type: file, path: ${join(dir, "out.jsonl")} }
routes: { default: [out] }
logLevel: warn
`;
  writeFileSync(path, yaml);
  return path;
}

const BARE_FASTIFY = `
import Fastify from "fastify";
const app = Fastify();
app.get("/healthz", async () => ({ ok: true }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
console.log("listening");`;

async function startFigure(dir: string): Promise<FigureInput> {
  const env = { ...process.env, CB_SECRET: "c".repeat(64), API_KEY: "k".repeat(32) };
  const claypipe: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const port = await freePort();
    const config = standardConfig(dir, port);
    const service = await spawnReady([CLI, "start", "-c", config], /listening on/, env);
    try {
      claypipe.push(await idleRss(service, port));
    } finally {
      await stop(service);
    }
    const barePort = await freePort();
    // Run from the project so `import "fastify"` resolves to its own copy.
    const server = await spawnReady(["--input-type=module", "-e", BARE_FASTIFY], /listening/, {
      ...process.env,
      PORT: String(barePort),
    });
    try {
      bare.push(await idleRss(server, barePort));
    } finally {
      await stop(server);
    }
  }
  return {
    figure: "idle start, standard tier",
    unit: "MB",
    claypipe: median(claypipe),
    baseline: median(bare),
    baselineLabel: "bare Fastify server, one route",
    goal: { of: "value", atMost: 80 },
    checked: `${STARTS} start(s) each, RSS ${IDLE_MS / 1000} s after ready, both answered GET /healthz`,
  };
}

function report(input: FigureInput, note = ""): void {
  const figure = recordFigure(input);
  const ratio = figure.ratio === null ? "" : ` = ${figure.ratio.toFixed(2)}×`;
  console.log(
    `${figure.figure}: ${figure.claypipe.toFixed(3)} ${figure.unit} (${figure.baselineLabel}: ${figure.baseline?.toFixed(3)} ${figure.unit}${ratio}); goal ${describeGoal(figure.goal, figure.unit)}: ${figure.met ? "met" : "NOT met"}${note}`,
  );
}

requireFreshBuild();
const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-startup-"));
try {
  report(helpFigure());
  const imported = importFigure(dir);
  report(
    imported.figure,
    `; CPU time of the import, all threads: ${imported.importCpuMs.toFixed(1)} ms; import + loadConfigFile + a direct pipeline created, read and stopped: ${imported.firstPipelineMs.toFixed(1)} ms`,
  );
  report(await startFigure(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
