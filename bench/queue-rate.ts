/**
 * Rate fidelity through the real queue tier: `claypipe start --role api` plus
 * 1, then 3, `--role worker` processes on PostgreSQL and Redis, sending a
 * backlog that never runs dry to the emulator at Clay's default rate (10/s,
 * burst 20). Each scenario has its own emulated workspace, schema and Redis
 * prefix; Clay's callbacks flow back (time scale 60) and are delivered to a
 * file sink meanwhile, so the workers do all their work, not only sending.
 *
 *   npm run bench:queue-rate                     # 60 s per scenario; needs PostgreSQL and Redis
 *   BENCH_SECONDS=20 npm run bench:queue-rate
 *
 * The services are warmed up first (a few leads through, then a pause for
 * Clay's bucket to fill again). The window starts when the backlog's first
 * batch is posted to the API process. Allowed = what Clay would accept in it:
 * rate × seconds + burst.
 * Baseline, as in bench:sender-workers: 3 processes, each the bare sender with
 * a local limiter of its own, as if the tier had no shared limit.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema } from "../src/config/schema.js";
import { freePort } from "../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.js";
import { queueBenchConfig } from "./queue-bench-config.js";
import { benchLeads, inBatches, openBenchServices } from "./queue-bench-services.js";
import { startQueueServices } from "./queue-service-processes.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RATE = { perSecond: 10, burst: 20 };
/** More than the window can take, so the queue never runs dry. */
const BACKLOG = Math.ceil(RATE.perSecond * SECONDS * 1.25 + RATE.burst + 100);
const POST_BATCH = 500;
const WARMUP = 10;
const GOAL = 0.98;

interface Measured {
  scenario: string;
  accepted: number;
  seconds: number;
  rateLimited: number;
  /** Milliseconds from the window's start to the first batch's 202 (NaN: not posted through intake). */
  firstAckMs: number;
  /** Milliseconds from the window's start to Clay's first accepted row. */
  firstRowMs: number;
  /** The fewest rows Clay accepted in any whole second of the window after the first. */
  slowestSecond: number;
  notes: string;
}

/** Clay's counts of one workspace's webhook requests. */
function requestsOf(emulator: RunningEmulator, workspace: string) {
  return emulator.control.snapshot().workspaces.find((w) => w.id === workspace)!.requests;
}

/** Watches the rows Clay accepts for a workspace from now, for SECONDS, then reports them. */
function watchWindow(emulator: RunningEmulator, workspace: string) {
  const before = requestsOf(emulator, workspace).accepted;
  const accepted = () => requestsOf(emulator, workspace).accepted - before;
  const start = performance.now();
  const perSecond: number[] = [];
  let firstRowMs = Number.NaN;
  let countedUpTo = 0;
  const sampler = setInterval(() => {
    const now = accepted();
    if (now > 0 && Number.isNaN(firstRowMs)) firstRowMs = performance.now() - start;
    if (Math.floor((performance.now() - start) / 1000) > perSecond.length) {
      perSecond.push(now - countedUpTo);
      countedUpTo = now;
    }
  }, 10);
  return {
    elapsedMs: () => performance.now() - start,
    async finish(): Promise<Omit<Measured, "scenario" | "rateLimited" | "notes" | "firstAckMs">> {
      await sleep(SECONDS * 1000 - (performance.now() - start));
      const count = accepted();
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      return {
        accepted: count,
        seconds,
        firstRowMs,
        slowestSecond: Math.min(...perSecond.slice(1)),
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function queueTier(emulator: RunningEmulator, workers: number): Promise<Measured> {
  const workspace = `q${workers}`;
  const services = await openBenchServices(`rate${workers}`);
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-rate-"));
  try {
    const port = await freePort();
    const config = queueBenchConfig({
      services,
      workspace,
      rateLimit: RATE,
      webhookUrl: emulator.webhookUrl(`t_${workspace}`),
      port,
      sink: { file: join(dir, "delivered.jsonl") },
      stateDir: join(dir, "state"),
    });
    const configPath = join(dir, "claypipe.config.yaml");
    writeFileSync(configPath, config.text);
    const post = async (batch: unknown[]) => {
      const answer = await fetch(`http://127.0.0.1:${port}/v1/leads`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` },
        body: JSON.stringify(batch),
      });
      if (answer.status !== 202) {
        throw new Error(`intake answered ${answer.status}: ${await answer.text()}`);
      }
    };
    const running = await startQueueServices(configPath, config.env, workers);
    try {
      // A few leads through every part first, then a pause for Clay's bucket (and
      // claypipe's) to fill again: the window measures a running service.
      await post(benchLeads(WARMUP, `${workspace}warm`));
      while (requestsOf(emulator, workspace).accepted < WARMUP) await sleep(50);
      await sleep((RATE.burst / RATE.perSecond) * 1000 + 1000);

      const window = watchWindow(emulator, workspace);
      let firstAckMs = Number.NaN;
      await inBatches(benchLeads(BACKLOG, workspace), POST_BATCH, 1, async (batch) => {
        await post(batch);
        if (Number.isNaN(firstAckMs)) firstAckMs = window.elapsedMs();
      });
      const measured = { ...(await window.finish()), firstAckMs };
      await running.stop();
      const states = await services.leadStates();
      return {
        scenario: `queue tier: api + ${workers} worker process${workers > 1 ? "es" : ""}`,
        ...measured,
        rateLimited: requestsOf(emulator, workspace).rateLimited,
        notes: `leads after stop: ${Object.entries(states)
          .map(([state, count]) => `${count} ${state}`)
          .join(", ")}`,
      };
    } finally {
      await running.stop();
    }
  } finally {
    await services.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * bench:sender-workers' baseline, run through that file's worker role (its
 * WorkerPlan and ready/go/report messages): 3 processes with local limiters.
 */
async function localLimiters(emulator: RunningEmulator): Promise<Measured> {
  const script = fileURLToPath(new URL("./sender-rate-workers.ts", import.meta.url));
  const children: ChildProcess[] = [];
  const messages = (child: ChildProcess) =>
    new Promise<unknown>((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`a baseline worker exited with ${code}`)));
    });
  const ready: Promise<unknown>[] = [];
  for (let i = 0; i < 3; i++) {
    const plan = {
      limiter: "local",
      key: "unused",
      webhookUrl: emulator.webhookUrl("t_naive"),
      runMs: SECONDS * 1000 + 1000,
      worker: `naive${i}`,
    };
    const child = fork(script, ["worker", JSON.stringify(plan)]);
    children.push(child);
    ready.push(messages(child));
  }
  await Promise.all(ready);
  const reports = children.map(messages);
  const window = watchWindow(emulator, "naive");
  for (const child of children) child.send("go");
  const measured = await window.finish();
  await Promise.all(reports);
  return {
    scenario: "baseline: 3 senders, local limiters",
    ...measured,
    firstAckMs: Number.NaN,
    rateLimited: requestsOf(emulator, "naive").rateLimited,
    notes: "no shared limit: together they ask for 3× the rate",
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator({
    timeScale: 60,
    workspaces: [
      ...["q1", "q3"].map((id) => ({
        id,
        rateLimit: RATE,
        tables: [{ id: `t_${id}`, webhooks: [{}] }],
      })),
      { id: "naive", rateLimit: RATE, tables: [{ id: "t_naive", autoRun: false, webhooks: [{}] }] },
    ],
  });
  try {
    console.log(
      `queue tier rate fidelity: ${SECONDS}s per scenario against the emulator at ${RATE.perSecond}/s, burst ${RATE.burst}; ` +
        `backlog ${BACKLOG} leads; Node ${process.version}, ${availableParallelism()} cores\n`,
    );
    const results: Measured[] = [];
    for (const workers of [1, 3]) results.push(await queueTier(emulator, workers));
    results.push(await localLimiters(emulator));

    const rows = results.map((result) => {
      const allowed = RATE.perSecond * result.seconds + RATE.burst;
      return {
        scenario: result.scenario,
        accepted: result.accepted,
        allowed: Math.floor(allowed),
        "achieved/allowed": Number((result.accepted / allowed).toFixed(3)),
        "429s": result.rateLimited,
        "first 202 ms": Number.isNaN(result.firstAckMs) ? "-" : Math.round(result.firstAckMs),
        "first row ms": Math.round(result.firstRowMs),
        "slowest second": result.slowestSecond,
      };
    });
    console.table(rows);
    for (const result of results) console.log(`${result.scenario}: ${result.notes}`);
    const { burstHeadroom } = configSchema.shape.sender.parse(undefined);
    const usableBurst = Math.floor(RATE.burst * (1 - burstHeadroom));
    console.log(
      `\nallowed = ${RATE.perSecond}/s × window + burst ${RATE.burst}; 429s counted to the end of each run. ` +
        `Ceiling with the default burstHeadroom ${burstHeadroom} (burst ${usableBurst} of ${RATE.burst}): ` +
        `${((RATE.perSecond * SECONDS + usableBurst) / (RATE.perSecond * SECONDS + RATE.burst)).toFixed(3)}`,
    );
    const met = rows
      .slice(0, 2)
      .every((row) => row["achieved/allowed"] >= GOAL && row["429s"] === 0);
    console.log(
      `goal: achieved/allowed ≥ ${GOAL} with 0 429s over 60 s, with 1 and with 3 workers → ${met ? "met" : "NOT met"}` +
        (SECONDS < 60 ? ` (a ${SECONDS} s window's ceiling is lower: run 60 s to judge)` : ""),
    );
  } finally {
    await emulator.close();
  }
}

await main();
