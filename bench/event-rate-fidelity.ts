/**
 * Rate fidelity through a running tier, measured as
 * test/reliability/queue-rate.test.ts measures it: a backlog the tier cannot
 * drain faster than the workspace's rate goes in at once, and the rows Clay
 * accepted are timed from the first to the last. The best the shared limiter
 * allows is its usable burst at once (Clay's burst less sender.burstHeadroom),
 * then the rate; achieved/allowed is that best time over the time it took.
 */
import { configSchema } from "../src/config/schema.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { sleep } from "./event-bench-measures.js";
import type { BenchTier } from "./event-bench-tier.js";
import { benchLeads, inBatches, withTimeout } from "./queue-bench-services.js";

const WARMUP = 10;
const POST_BATCH = 500;

export interface RateFidelity {
  leads: number;
  usableBurst: number;
  /** From Clay's first row of the backlog to its last. */
  seconds: number;
  /** The limiter's best: (leads − usable burst) / rate. */
  fastestSeconds: number;
  /** fastestSeconds / seconds. */
  ratio: number;
  /** 429s Clay answered the workspace, warm-up included. */
  rateLimited: number;
}

export async function measureRateFidelity(
  emulator: RunningEmulator,
  tier: BenchTier,
  plan: { workspace: string; rateLimit: { perSecond: number; burst: number }; seconds: number },
): Promise<RateFidelity> {
  const { perSecond, burst } = plan.rateLimit;
  const workspace = () =>
    emulator.control.snapshot().workspaces.find((found) => found.id === plan.workspace)!;
  const waitForRows = (rows: number) =>
    withTimeout(
      (async () => {
        while (workspace().tables[0]!.rowCount < rows) await sleep(50);
      })(),
      plan.seconds * 3000 + 30_000,
      `${rows} rows at Clay for ${plan.workspace}`,
    );

  // A few leads through every part first, then a pause for Clay's bucket (and
  // claypipe's) to fill again: the backlog meets a running service with a full burst.
  await tier.post(benchLeads(WARMUP, `${plan.workspace}warm`));
  await waitForRows(WARMUP);
  await sleep((burst / perSecond) * 1000 + 1000);

  const { burstHeadroom } = configSchema.shape.sender.parse(undefined);
  const usableBurst = Math.floor(burst * (1 - burstHeadroom));
  const leads = Math.ceil(perSecond * plan.seconds) + usableBurst;
  const tag = `${plan.workspace}rate`;
  await inBatches(benchLeads(leads, tag), POST_BATCH, 1, (batch) => tier.post(batch));
  await waitForRows(WARMUP + leads);

  const times = emulator.control
    .rows(tier.tableId)
    .filter((row) => String(row.fields.email).startsWith(`bench-${tag}-`))
    .map((row) => Date.parse(row.createdAt))
    .sort((a, b) => a - b);
  const seconds = (times.at(-1)! - times[0]!) / 1000;
  const fastestSeconds = (leads - usableBurst) / perSecond;
  return {
    leads,
    usableBurst,
    seconds,
    fastestSeconds,
    ratio: fastestSeconds / seconds,
    rateLimited: workspace().requests.rateLimited,
  };
}
