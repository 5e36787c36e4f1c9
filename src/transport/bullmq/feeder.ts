/**
 * The feeder of one workspace: keeps its BullMQ queue topped up to the
 * lookahead from the store's outbox, lane by lane (see priority-lanes.ts).
 * The store stays the outbox: a lead fed is leased (its availableAt moves on)
 * but stays queued, so a job Redis loses is fed again when the lease ends, and
 * a lead fed twice is one job (its id is the lead's).
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Clock } from "../../core/clock.js";
import type { LeadStore } from "../../store/lead-store.js";
import { leaseByLanes } from "../priority-lanes.js";
import { withFeedLock } from "./feed-lock.js";
import type { SendJobData } from "./queue-names.js";

/** How long a fed lead is not fed again, unless the options say otherwise (see feedLeaseMs). */
export const FEED_LEASE_MS = 60_000;
/**
 * Far above one pass (a few queries), and all a feeder that died, or lost
 * Redis before it could let go, holds feeding up: the lock outlives a Redis
 * restart with its data. Should a slow pass outlast it, two feeders overfill
 * the queue a little; a lead fed twice is still one job.
 */
const LOCK_TTL_MS = 2000;
/**
 * How soon a feeder that found another holding the lock looks again. The holder
 * may have read the outbox just before this feeder's new leads were committed:
 * waiting out the idle poll instead would leave them there for it.
 */
const LOCK_BUSY_RETRY_MS = 20;

export interface FeederOptions {
  workspace: string;
  /** The workspace's priority lanes, highest first. */
  lanes: readonly number[];
  lookahead: number;
  queue: Queue<SendJobData>;
  redis: Redis;
  lockKey: string;
  leads: LeadStore;
  clock: Clock;
  /** How long a fed lead is not fed again. @defaultValue FEED_LEASE_MS */
  leaseMs?: number;
  /** Runs of one job before BullMQ gives up on it. */
  attempts: number;
}

/**
 * The feed lease of a workspace's queue. It must be far longer than a job
 * waits in the queue (twice the time the workspace takes to send a full
 * lookahead), and it is how soon a job Redis lost is fed again — the same
 * question `lockDuration` answers for a job a worker lost, so it is two of
 * those (60 s with the defaults).
 */
export function feedLeaseMs(
  queue: { lookahead: number; lockDuration: number },
  rateLimit: { perSecond: number },
): number {
  return Math.max(
    2 * queue.lockDuration,
    Math.ceil((2_000 * queue.lookahead) / rateLimit.perSecond),
  );
}

/**
 * One pass; resolves with how many leads it fed (0 when the queue is full or the
 * outbox empty), or 1 after a short wait when another feeder held the lock, so
 * the loop looks again at once.
 */
export function createFeeder(options: FeederOptions): (signal: AbortSignal) => Promise<number> {
  const { workspace, lanes, lookahead, queue, leads, clock, attempts } = options;

  const feed = async (): Promise<number> => {
    const waiting = await queue.getWaitingCount();
    const room = lookahead - waiting;
    // Refill at half empty, not after every job: one outbox query feeds many jobs.
    if (room <= 0 || (waiting > 0 && room < Math.ceil(lookahead / 2))) return 0;
    const now = clock.now();
    const lease = { workspace, now, until: now + (options.leaseMs ?? FEED_LEASE_MS) };
    const ids = await leaseByLanes(leads, lease, lanes, room);
    if (ids.length > 0) {
      await queue.addBulk(
        ids.map((leadId) => ({
          name: "send",
          data: { leadId },
          opts: { jobId: leadId, attempts },
        })),
      );
    }
    return ids.length;
  };

  return async (signal) => {
    const fed = await withFeedLock(options.redis, options.lockKey, LOCK_TTL_MS, feed);
    if (fed !== undefined) return fed;
    await clock.sleep(LOCK_BUSY_RETRY_MS, signal);
    return 1;
  };
}
