/**
 * A worker that dies holding a job loses it to another within 1.5 ×
 * lockDuration, as docs/tiers/queue.md says, whatever the phase of BullMQ's stalled
 * checks. Here in the phase that made BullMQ's own pairing (stalledInterval =
 * lockDuration) wait 2.5 lockDurations: the dead worker was the one running
 * the checks, it renewed the job's lock after its last check, and the
 * survivor's own check comes just too early to run once the dead worker's lapses.
 */
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { lockOptions } from "../../src/transport/bullmq/takeover.js";
import {
  connectRedis,
  deleteKeys,
  REDIS_URL,
  uniquePrefix,
} from "../clay/fixtures/redis-server.js";

const TIMER_SLACK_MS = 1000;
const LOCK_MS = 2000;
const QUEUE = "send-takeover";

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Polls `ready` every few milliseconds until it returns a value. */
async function until<T>(ready: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10 * LOCK_MS;
  for (;;) {
    const value = await ready();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function worker(prefix: string, work: (job: Job) => Promise<void>): Worker {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const made = new Worker(QUEUE, work, { connection, prefix, ...lockOptions(LOCK_MS) });
  // A worker closed mid-job, as the victim is, reports the job it cannot finish: expected here.
  made.on("error", () => {});
  cleanup.push(async () => {
    await made.close(true);
    connection.disconnect();
  });
  return made;
}

describe("a dead worker's job", () => {
  it("is back for another worker within 1.5 lockDurations when the dead worker ran the checks", async () => {
    const redis = await connectRedis();
    const prefix = uniquePrefix("takeover").replaceAll(":", "-");
    cleanup.push(async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    });
    const queue = new Queue(QUEUE, { connection: redis, prefix });
    cleanup.push(() => queue.close());
    const checkKey = `${prefix}:${QUEUE}:stalled-check`;
    const lockKey = `${prefix}:${QUEUE}:lead-1:lock`;
    const { stalledInterval } = lockOptions(LOCK_MS);

    // The victim starts first, so it runs the stalled checks; it holds the job and never finishes it.
    const victim = worker(prefix, () => new Promise<void>(() => {}));
    await queue.add("send", { leadId: "lead-1" }, { jobId: "lead-1" });
    await until(
      async () => ((await redis.exists(lockKey)) ? true : undefined),
      "the victim's lock",
    );

    // The survivor starts just before the victim's next check: its own checks
    // keep coming just too early to run while the victim's last one lives.
    await until(async () => {
      const left = await redis.pttl(checkKey);
      return left > 0 && left < 400 ? true : undefined;
    }, "the victim's next check");
    let takenAt: number | undefined;
    worker(prefix, async () => {
      takenAt ??= Date.now();
    });
    await until(
      async () => ((await redis.pttl(checkKey)) > stalledInterval - 50 ? true : undefined),
      "a fresh check",
    );

    // Killed just after it renewed the lock following its last check.
    const killedAt = await until(async () => {
      const [[, checkLeft], [, lockLeft]] = (await redis
        .multi()
        .pttl(checkKey)
        .pttl(lockKey)
        .exec()) as [[null, number], [null, number]];
      const sinceCheck = stalledInterval - checkLeft;
      const sinceRenewal = LOCK_MS - lockLeft;
      return checkLeft > 0 && sinceRenewal < sinceCheck ? Date.now() : undefined;
    }, "a renewal after a check");
    await victim.close(true);

    await until(async () => takenAt, "the takeover");
    const waited = takenAt! - killedAt;
    console.log(`kill to takeover: ${waited} ms (lockDuration ${LOCK_MS} ms)`);
    expect(waited).toBeGreaterThan(0);
    // The documented bound, plus the late timers of a loaded 2-core machine (a second on a
    // 2 s lock; at the default 30 s it is noise). Before the fix the staged case took 2.6 ×.
    expect(waited).toBeLessThanOrEqual(1.5 * LOCK_MS + TIMER_SLACK_MS);
  }, 30_000);
});
