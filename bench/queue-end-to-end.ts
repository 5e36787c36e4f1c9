/**
 * The queue tier end to end vs raw BullMQ doing the same send, and 3 worker
 * processes vs 1 (queue-end-to-end-runs.ts); also part of `npm run bench:queue`.
 *
 *   npm run bench:queue-e2e                  # 2,000 leads a run; needs PostgreSQL and Redis
 *   BENCH_QUICK=1 npm run bench:queue-e2e    # 600 leads a run
 *   BENCH_LEADS=5000 BENCH_WORKER_PROCESSES=4 npm run bench:queue-e2e
 */
import { availableParallelism } from "node:os";
import { QUICK } from "./bench-figures.js";
import {
  END_TO_END_WORKSPACES,
  endToEnd,
  startQueueBenchEmulator,
} from "./queue-end-to-end-runs.js";

const CLAY_RATE = { perSecond: 1000, burst: 1000 };

const emulator = await startQueueBenchEmulator(END_TO_END_WORKSPACES, CLAY_RATE);
try {
  console.log(
    `queue tier end to end vs raw BullMQ; Node ${process.version}, ${availableParallelism()} cores, ` +
      "PostgreSQL and Redis on loopback",
  );
  await endToEnd(emulator, {
    leads: Number(process.env.BENCH_LEADS ?? (QUICK ? 600 : 2000)),
    workerProcesses: Number(process.env.BENCH_WORKER_PROCESSES ?? 3),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
    clayRate: CLAY_RATE,
  });
} finally {
  await emulator.close();
}
