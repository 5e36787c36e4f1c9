/**
 * The queue tier end to end, next to raw BullMQ doing the same send in the
 * same run: submit → Clay (the emulator) → callback → delivered to a file sink,
 * through one worker pipeline in this process, through `claypipe start`
 * processes (api + 1 worker, api + N workers), and through a raw BullMQ Worker
 * POSTing each lead to the same emulator with a bare HTTP receiver counting
 * the callbacks. Every claypipe run checks each lead was delivered; the raw
 * run, that each was called back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.js";
import { recordFigure } from "./bench-figures.js";
import { type QueueBenchConfig, queueBenchConfig } from "./queue-bench-config.js";
import {
  type BenchServices,
  benchLeads,
  inBatches,
  openBenchServices,
  REDIS_URL,
  withTimeout,
} from "./queue-bench-services.js";
import { startInProcessQueueTier } from "./queue-in-process.js";
import { rawEndToEnd } from "./queue-raw-bullmq.js";
import { startQueueServices } from "./queue-service-processes.js";

export interface EndToEndPlan {
  leads: number;
  /** Worker processes of the multi-process run (0: none). */
  workerProcesses: number;
  /** Jobs a worker runs at once, on both sides. */
  concurrency: number;
  clayRate: { perSecond: number; burst: number };
}

/** The emulator workspaces the runs use. */
export const END_TO_END_WORKSPACES = ["e2e1", "e2ep1", "e2epn", "raw"];

const BATCH = { size: 500, parallel: 4 };
const TIMEOUT_MS = 300_000;

interface EndToEnd {
  target: string;
  seconds: number;
  check: string;
  /** Every lead delivered (claypipe) or called back (raw). */
  complete: boolean;
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The emulated Clay the queue benchmarks share: one table per workspace, at `clayRate`. */
export function startQueueBenchEmulator(
  workspaces: readonly string[],
  clayRate: EndToEndPlan["clayRate"],
): Promise<RunningEmulator> {
  return startEmulator({
    timeScale: 1000,
    workspaces: workspaces.map((id) => ({
      id,
      rateLimit: clayRate,
      tables: [
        {
          id: `t_${id}`,
          httpApiColumn: { rateLimit: { requests: clayRate.perSecond, perMs: 1000 } },
          webhooks: [{}],
        },
      ],
    })),
  });
}

/** A scratch directory, a schema and a prefix for one run, and its config; all removed after `work`. */
export async function withQueueRun<T>(
  emulator: RunningEmulator,
  workspace: string,
  plan: Pick<EndToEndPlan, "clayRate" | "concurrency">,
  work: (run: { config: QueueBenchConfig; services: BenchServices; dir: string }) => Promise<T>,
): Promise<T> {
  const services = await openBenchServices(workspace);
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-queue-"));
  try {
    const config = queueBenchConfig({
      services,
      workspace,
      rateLimit: plan.clayRate,
      webhookUrl: emulator.webhookUrl(`t_${workspace}`),
      port: await freePort(),
      sink: { file: join(dir, "delivered.jsonl") },
      stateDir: join(dir, "state"),
      concurrency: plan.concurrency,
    });
    return await work({ config, services, dir });
  } finally {
    await services.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls the outbox until every lead is delivered or dead. */
async function waitForDelivery(
  services: BenchServices,
  leads: number,
): Promise<Record<string, number>> {
  const settled = async () => {
    for (;;) {
      const states = await services.leadStates();
      if ((states.delivered ?? 0) + (states.dead ?? 0) >= leads) return states;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return withTimeout(settled(), TIMEOUT_MS, `delivering ${leads} leads`);
}

function clayCounts(emulator: RunningEmulator, workspace: string): string {
  const found = emulator.control.snapshot().workspaces.find((w) => w.id === workspace)!;
  return `Clay: ${fmt(found.tables[0]!.rowCount)} rows, ${found.requests.rateLimited} 429s`;
}

function describeStates(states: Record<string, number>): string {
  return Object.entries(states)
    .map(([state, count]) => `${fmt(count)} ${state}`)
    .join(", ");
}

async function claypipeInProcess(emulator: RunningEmulator, plan: EndToEndPlan): Promise<EndToEnd> {
  return withQueueRun(emulator, "e2e1", plan, async ({ config, services }) => {
    const tier = await startInProcessQueueTier(config.parse(), 1);
    try {
      const leads = benchLeads(plan.leads, "e2e1");
      const start = performance.now();
      await inBatches(leads, BATCH.size, BATCH.parallel, (batch) => tier.api.submit(batch));
      const states = await waitForDelivery(services, plan.leads);
      return {
        target: "claypipe: api + 1 worker pipeline, this process",
        seconds: (performance.now() - start) / 1000,
        check: `${describeStates(states)}; ${clayCounts(emulator, "e2e1")}`,
        complete: states.delivered === plan.leads,
      };
    } finally {
      await tier.close();
    }
  });
}

async function claypipeProcesses(
  emulator: RunningEmulator,
  plan: EndToEndPlan,
  workers: number,
): Promise<EndToEnd> {
  const workspace = workers === 1 ? "e2ep1" : "e2epn";
  return withQueueRun(emulator, workspace, plan, async ({ config, services, dir }) => {
    const configPath = join(dir, "claypipe.config.yaml");
    writeFileSync(configPath, config.text);
    const running = await startQueueServices(configPath, config.env, workers);
    try {
      const leads = benchLeads(plan.leads, workspace);
      const url = `${config.parse().callbacks!.baseUrl}/v1/leads`;
      const start = performance.now();
      await inBatches(leads, BATCH.size, BATCH.parallel, async (batch) => {
        const answer = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` },
          body: JSON.stringify(batch),
        });
        if (answer.status !== 202)
          throw new Error(`intake answered ${answer.status}: ${await answer.text()}`);
      });
      const states = await waitForDelivery(services, plan.leads);
      return {
        target: `claypipe: api + ${workers} worker process${workers === 1 ? "" : "es"} (claypipe start)`,
        seconds: (performance.now() - start) / 1000,
        check: `${describeStates(states)}; ${clayCounts(emulator, workspace)}`,
        complete: states.delivered === plan.leads,
      };
    } finally {
      await running.stop();
    }
  });
}

async function rawBullmq(emulator: RunningEmulator, plan: EndToEndPlan): Promise<EndToEnd> {
  const services = await openBenchServices("e2eraw");
  try {
    const result = await rawEndToEnd(
      {
        redisUrl: REDIS_URL,
        prefix: services.prefix,
        queueName: "send-raw",
        webhookUrl: emulator.webhookUrl("t_raw"),
        concurrency: plan.concurrency,
        timeoutMs: TIMEOUT_MS,
      },
      benchLeads(plan.leads, "e2eraw"),
      BATCH,
    );
    return {
      target: "raw BullMQ worker + bare callback counter, this process",
      seconds: result.seconds,
      check: `${fmt(result.callbacks)} callbacks, ${result.retriedJobs} jobs retried; ${clayCounts(emulator, "raw")}`,
      complete: result.callbacks === plan.leads,
    };
  } finally {
    await services.cleanup();
  }
}

/** Runs every side, prints the table and the ratios, and records the figures. */
export async function endToEnd(emulator: RunningEmulator, plan: EndToEndPlan): Promise<void> {
  const inProcess = await claypipeInProcess(emulator, plan);
  const raw = await rawBullmq(emulator, plan);
  const runs = [inProcess, raw];
  const oneProcess =
    plan.workerProcesses > 0 ? await claypipeProcesses(emulator, plan, 1) : undefined;
  const manyProcesses =
    plan.workerProcesses > 1
      ? await claypipeProcesses(emulator, plan, plan.workerProcesses)
      : undefined;
  for (const run of [oneProcess, manyProcesses]) if (run) runs.push(run);
  console.log(
    `\nend to end: ${fmt(plan.leads)} leads from submit to delivered (claypipe) or called back (raw); ` +
      `Clay at ${plan.clayRate.perSecond}/s, burst ${plan.clayRate.burst}; ${plan.concurrency} jobs at once per worker`,
  );
  console.table(
    runs.map((run) => ({
      target: run.target,
      "leads/s": fmt(plan.leads / run.seconds),
      seconds: fmt(run.seconds, 2),
      check: run.check,
    })),
  );
  const rate = (run: EndToEnd) => plan.leads / run.seconds;
  const incomplete = runs.filter((run) => !run.complete);
  if (incomplete.length > 0)
    throw new Error(`not every lead made it: ${incomplete.map((run) => run.target).join("; ")}`);
  const single = recordFigure({
    figure: "queue tier end to end (1 worker)",
    unit: "leads/s",
    claypipe: rate(inProcess),
    baseline: rate(raw),
    baselineLabel: "raw BullMQ worker doing the same send",
    goal: { of: "ratio", atLeast: 0.4 },
    checked: `${fmt(plan.leads)} leads delivered, ${fmt(plan.leads)} raw callbacks`,
  });
  console.log(`claypipe (1 worker pipeline) / raw: ${fmt(single.ratio ?? 0, 2)}`);
  if (oneProcess && manyProcesses) {
    const scaling = recordFigure({
      figure: `queue tier, ${plan.workerProcesses} worker processes vs 1`,
      unit: "leads/s",
      claypipe: rate(manyProcesses),
      baseline: rate(oneProcess),
      baselineLabel: "api + 1 worker process",
      goal: { of: "ratio", atLeast: 1.0 },
      checked: `${fmt(plan.leads)} leads delivered in each run`,
    });
    console.log(
      `claypipe ${plan.workerProcesses} worker processes / 1 worker process: ${fmt(scaling.ratio ?? 0, 2)}`,
    );
  }
}
