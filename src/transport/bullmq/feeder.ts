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
import { withFeedLock } from "./feed-lock.js";
import { laneShares } from "./priority-lanes.js";
import type { SendJobData } from "./queue-names.js";

/** How long a fed lead is not fed again: far longer than it waits in a queue of `lookahead` jobs. */
export const FEED_LEASE_MS = 60_000;
const LOCK_TTL_MS = 10_000;

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
}

/** One pass; resolves with how many leads it fed (0 when the queue is full or the outbox empty). */
export function createFeeder(options: FeederOptions): () => Promise<number> {
  const { workspace, lanes, lookahead, queue, leads, clock } = options;

  const feed = async (): Promise<number> => {
    const waiting = await queue.getWaitingCount();
    const room = lookahead - waiting;
    // Refill at half empty, not after every job: one outbox query feeds many jobs.
    if (room <= 0 || (waiting > 0 && room < Math.ceil(lookahead / 2))) return 0;
    const now = clock.now();
    const lease = { workspace, now, until: now + FEED_LEASE_MS };
    const ids: string[] = [];
    const shares = laneShares(lanes, room);
    for (const [index, priority] of lanes.entries()) {
      const limit = Math.min(shares[index]!, room - ids.length);
      if (limit <= 0) break;
      ids.push(...(await leads.leaseDue({ ...lease, priority, limit })));
    }
    // Places lanes left free go to whoever waits longest, whatever its lane
    // (also leads of a priority no source has any more).
    if (ids.length < room)
      ids.push(...(await leads.leaseDue({ ...lease, limit: room - ids.length })));
    if (ids.length > 0) {
      await queue.addBulk(
        ids.map((leadId) => ({ name: "send", data: { leadId }, opts: { jobId: leadId } })),
      );
    }
    return ids.length;
  };

  return async () => (await withFeedLock(options.redis, options.lockKey, LOCK_TTL_MS, feed)) ?? 0;
}
