/**
 * Sender rate fidelity across worker processes: the real sender in separate
 * processes posting to one emulated workspace (10/s, burst 20), all at once,
 * each scenario on its own workspace:
 * - 1 worker with the Redis limiter;
 * - 3 workers sharing the Redis limiter (one key);
 * - baseline: 3 workers each with its own LocalRateLimiter, as if the tier
 *   had no shared limit — together they ask for 3× the rate.
 *
 *   npm run bench:sender-workers                 # 60 s; needs Redis
 *   BENCH_SECONDS=20 REDIS_URL=redis://127.0.0.1:6379 npm run bench:sender-workers
 *
 * The window starts when every worker is connected and told to go. Allowed =
 * what Clay would accept in it: rate × seconds + burst.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { LocalRateLimiter } from "../src/clay/rate-limit/local-rate-limiter.js";
import type { RateLimiter } from "../src/clay/rate-limit/rate-limiter.js";
import { RedisRateLimiter } from "../src/clay/rate-limit/redis-rate-limiter.js";
import { createClaySender } from "../src/clay/sender.js";
import { configSchema } from "../src/config/schema.js";
import { startEmulator } from "../src/emulator/index.js";
import { MemoryCapacityCounters } from "../src/store/memory/memory-capacity-counters.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const RATE = { perSecond: 10, burst: 20 };
const WORKER_ROLE = "worker";

interface WorkerPlan {
  limiter: "redis" | "local";
  key: string;
  webhookUrl: string;
  runMs: number;
  worker: string;
}

interface WorkerReport {
  sent: number;
  /** Sends that needed more than one request. */
  retried: number;
  failed: number;
}

/** The pipeline config every worker runs: the defaults, one workspace, one table. */
function benchConfig(webhookUrl: string) {
  return configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "bench",
          rateLimit: RATE,
          tables: [{ name: "leads", capacityMargin: 0, webhooks: [{ url: webhookUrl }] }],
        },
      ],
    },
  });
}

/** One worker process: the real sender under its limiter, sending until its time is up. */
async function runWorker(plan: WorkerPlan): Promise<WorkerReport> {
  const config = benchConfig(plan.webhookUrl);
  const workspace = config.clay.workspaces[0]!;
  const shared = { rateLimit: workspace.rateLimit, burstHeadroom: config.sender.burstHeadroom };
  const redis =
    plan.limiter === "redis"
      ? new RedisRateLimiter({ redis: { url: REDIS_URL }, key: plan.key, ...shared })
      : undefined;
  const limiter: RateLimiter = redis ?? new LocalRateLimiter(shared);
  const sender = createClaySender({
    workspace,
    sender: config.sender,
    limiter,
    counters: new MemoryCapacityCounters(),
  });
  // Connections open before the start, so the window measures sending, not start-up.
  await redis?.connect();
  await fetch(new URL("/_emulator/state", plan.webhookUrl));
  await new Promise<void>((resolve) => {
    process.once("message", () => resolve());
    process.send?.("ready");
  });

  const report: WorkerReport = { sent: 0, retried: 0, failed: 0 };
  const stop = AbortSignal.timeout(plan.runMs);
  let next = 0;
  await Promise.all(
    Array.from({ length: config.sender.concurrency }, async () => {
      while (!stop.aborted) {
        const id = `${plan.worker}-${next++}`;
        try {
          const outcome = await sender.send(
            { lead: { email: `${id}@example.com` }, claypipeId: id, table: "leads" },
            stop,
          );
          if (outcome.status !== "sent") report.failed += 1;
          else {
            report.sent += 1;
            if (outcome.attempts > 1) report.retried += 1;
          }
        } catch {
          if (!stop.aborted) report.failed += 1;
        }
      }
    }),
  );
  await redis?.close();
  return report;
}

interface Scenario {
  name: string;
  workspace: string;
  limiter: WorkerPlan["limiter"];
  workers: number;
}

const scenarios: Scenario[] = [
  { name: "1 worker, Redis limiter", workspace: "one", limiter: "redis", workers: 1 },
  { name: "3 workers, shared Redis limiter", workspace: "three", limiter: "redis", workers: 3 },
  { name: "baseline: 3 workers, local limiters", workspace: "naive", limiter: "local", workers: 3 },
];

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
}

function startChild(plan: WorkerPlan): Child {
  const child = fork(fileURLToPath(import.meta.url), [WORKER_ROLE, JSON.stringify(plan)]);
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`worker ${plan.worker} exited with ${code}`)));
  });
  const message = <T>(matches: (value: unknown) => boolean) =>
    Promise.race([
      new Promise<T>((resolve) => {
        const listen = (value: unknown) => {
          if (!matches(value)) return;
          child.off("message", listen);
          resolve(value as T);
        };
        child.on("message", listen);
      }),
      exited,
    ]);
  return {
    process: child,
    ready: message<void>((value) => value === "ready"),
    report: message<WorkerReport>((value) => typeof value === "object"),
  };
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `claypipe-bench:rate:${randomBytes(4).toString("hex")}`;
  const emulator = await startEmulator({
    workspaces: scenarios.map((scenario) => ({
      id: scenario.workspace,
      rateLimit: RATE,
      tables: [{ id: `t_${scenario.workspace}`, autoRun: false, webhooks: [{}] }],
    })),
  });
  try {
    console.log(
      `sender rate fidelity across processes: ${SECONDS}s against the emulator at ${RATE.perSecond}/s, burst ${RATE.burst}\n`,
    );
    const runs = scenarios.map((scenario) => ({
      scenario,
      children: Array.from({ length: scenario.workers }, (_, index) =>
        startChild({
          limiter: scenario.limiter,
          key: `${prefix}:${scenario.workspace}`,
          webhookUrl: emulator.webhookUrl(`t_${scenario.workspace}`),
          // A little past the window, so the window is full when it is measured.
          runMs: SECONDS * 1000 + 1000,
          worker: `${scenario.workspace}${index}`,
        }),
      ),
    }));
    const children = runs.flatMap((run) => run.children);
    await Promise.all(children.map((child) => child.ready));
    const start = performance.now();
    for (const child of children) child.process.send("go");
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const snapshot = emulator.control.snapshot().workspaces;
    const seconds = (performance.now() - start) / 1000;
    const allowed = RATE.perSecond * seconds + RATE.burst;

    const reports = await Promise.all(
      runs.map(({ children }) => Promise.all(children.map((child) => child.report))),
    );
    const final = emulator.control.snapshot().workspaces;
    const requestsOf = (workspaces: typeof final, id: string) =>
      workspaces.find((workspace) => workspace.id === id)!.requests;

    const rows = runs.map(({ scenario }, index) => {
      const accepted = requestsOf(snapshot, scenario.workspace).accepted;
      const workerReports = reports[index]!;
      return {
        scenario: scenario.name,
        accepted,
        "rate /s": (accepted / seconds).toFixed(2),
        "achieved/allowed": Number((accepted / allowed).toFixed(3)),
        "429s": requestsOf(final, scenario.workspace).rateLimited,
        "retried sends": workerReports.reduce((sum, report) => sum + report.retried, 0),
        "failed sends": workerReports.reduce((sum, report) => sum + report.failed, 0),
        "sent per worker": workerReports.map((report) => report.sent).join("/"),
      };
    });
    console.table(rows);
    console.log(
      `allowed in ${seconds.toFixed(2)}s: ${allowed.toFixed(0)} rows (${RATE.perSecond}/s × ${seconds.toFixed(2)}s + burst ${RATE.burst}); 429s counted to the end of the run`,
    );
    const { burstHeadroom } = benchConfig(emulator.url).sender;
    const usableBurst = Math.floor(RATE.burst * (1 - burstHeadroom));
    console.log(
      `ceiling with burstHeadroom ${burstHeadroom} (burst ${usableBurst} of ${RATE.burst} used): ${((RATE.perSecond * seconds + usableBurst) / allowed).toFixed(3)}`,
    );
    const met = rows
      .slice(0, 2)
      .every((row) => row["achieved/allowed"] >= 0.98 && row["429s"] === 0);
    console.log(
      `goal: achieved/allowed ≥ 0.98 with 0 429s, with 1 and with 3 workers → ${met ? "met" : "NOT met"}`,
    );
  } finally {
    await emulator.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

if (process.argv[2] === WORKER_ROLE) {
  const report = await runWorker(JSON.parse(process.argv[3]!) as WorkerPlan);
  process.send?.(report, () => process.exit(0));
} else {
  await main();
}
