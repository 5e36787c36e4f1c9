/**
 * The queue tier end to end vs raw BullMQ doing the same send, and 3 worker
 * processes vs 1 (queue-end-to-end-runs.ts); also part of `npm run bench:queue`.
 *
 *   npm run bench:queue-e2e                  # 2,000 leads a run; needs PostgreSQL and Redis
 *   BENCH_QUICK=1 npm run bench:queue-e2e    # 600 leads a run
 *   BENCH_LEADS=5000 BENCH_WORKER_PROCESSES=4 npm run bench:queue-e2e
 */
import { availableParallelism } from "node:os";
import { startEmulator } from "../src/emulator/index.js";
import { QUICK } from "./bench-figures.js";
import { END_TO_END_WORKSPACES, endToEnd } from "./queue-end-to-end-runs.js";

const CLAY_RATE = { perSecond: 1000, burst: 1000 };

const emulator = await startEmulator({
  timeScale: 1000,
  workspaces: END_TO_END_WORKSPACES.map((id) => ({
    id,
    rateLimit: CLAY_RATE,
    tables: [
      {
        id: `t_${id}`,
        httpApiColumn: { rateLimit: { requests: CLAY_RATE.perSecond, perMs: 1000 } },
        webhooks: [{}],
      },
    ],
  })),
});
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
