/**
 * The BullMQ feeder on real PostgreSQL and Redis: it tops a workspace's queue
 * up to its lookahead, shares the places among priority lanes so a backfill
 * never starves fresh leads (nor they it), feeds a lead once while its job
 * lives, and feeds it again when Redis lost the job and its lease ended.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import type { Store } from "../../src/store/store.js";
import { createFeeder, FEED_LEASE_MS, feedLeaseMs } from "../../src/transport/bullmq/feeder.js";
import type { SendJobData } from "../../src/transport/bullmq/queue-names.js";
import { laneShares } from "../../src/transport/priority-lanes.js";
import { connectRedis, deleteKeys, uniquePrefix } from "../clay/fixtures/redis-server.js";
import { ManualClock } from "../clay/manual-clock.js";
import { newLead, T0 } from "../store/contract/fixtures.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  emptySchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";

const schema = randomSchema("feeder");
let store: Store;
let redis: Redis;
let prefix: string;
let queue: Queue<SendJobData>;
const clock = new ManualClock(T0);

beforeAll(async () => {
  store = await createPostgresStore({ connectionString: DATABASE_URL, schema, clock });
  redis = await connectRedis();
});
afterAll(async () => {
  await queue?.close();
  await store.close();
  const admin = await connectAdmin();
  await dropSchema(admin, schema);
  await admin.end();
  await deleteKeys(redis, "claypipe-test-feeder");
  redis.disconnect();
});
beforeEach(async () => {
  const admin = await connectAdmin();
  await emptySchema(admin, schema);
  await admin.end();
  await queue?.close();
  prefix = uniquePrefix("feeder").replaceAll(":", "-");
  queue = new Queue<SendJobData>("send-main", { connection: redis, prefix });
});

async function admit(count: number, priority: number): Promise<string[]> {
  const leads = Array.from({ length: count }, () => newLead({ priority }));
  await store.leads.admit(leads, { dedupeSince: 0, now: clock.now() });
  return leads.map((lead) => lead.id);
}

const JOB_ATTEMPTS = 8;

/** One pass of a feeder, as its loop runs it. */
function feeder(lanes: number[], lookahead: number): () => Promise<number> {
  const step = createFeeder({
    workspace: "main",
    lanes,
    lookahead,
    queue,
    redis,
    lockKey: `${prefix}:feed-lock`,
    leads: store.leads,
    clock,
    attempts: JOB_ATTEMPTS,
  });
  return () => step(new AbortController().signal);
}

async function waitingIds(): Promise<string[]> {
  const jobs = await queue.getWaiting(0, -1);
  return jobs.map((job) => job.data.leadId);
}

describe("priority lanes", () => {
  it("share places by weight 1/(1+priority), at least one each", () => {
    expect(laneShares([0], 20)).toEqual([20]);
    expect(laneShares([0, 10], 20)).toEqual([18, 2]);
    expect(laneShares([0, 1], 20)).toEqual([13, 7]);
    expect(laneShares([0, 100], 4)).toEqual([4, 1]);
  });
});

describe("the feed lease", () => {
  it("is two lock durations, or twice the time a full queue takes to send when that is longer", () => {
    expect(feedLeaseMs({ lookahead: 20, lockDuration: 30_000 }, { perSecond: 10 })).toBe(
      FEED_LEASE_MS,
    );
    expect(feedLeaseMs({ lookahead: 20, lockDuration: 2000 }, { perSecond: 100 })).toBe(4000);
    expect(feedLeaseMs({ lookahead: 5000, lockDuration: 30_000 }, { perSecond: 10 })).toBe(
      1_000_000,
    );
  });
});

describe("the BullMQ feeder", () => {
  it("fills the queue up to its lookahead and no further", async () => {
    await admit(50, 0);
    const feed = feeder([0], 20);
    expect(await feed()).toBe(20);
    expect(await feed()).toBe(0);
    expect(await queue.getWaitingCount()).toBe(20);
  });

  it("gives each job the attempts the transport asks for", async () => {
    await admit(2, 0);
    await feeder([0], 20)();
    const jobs = await queue.getWaiting(0, -1);
    expect(jobs.map((job) => job.opts.attempts)).toEqual([JOB_ATTEMPTS, JOB_ATTEMPTS]);
  });

  it("lets fresh form leads past a million-row backfill, and keeps the backfill moving", async () => {
    const backfill = await admit(300, 10);
    await clock.advance(1000);
    const forms = await admit(5, 0);
    const fed = await waitingIds();
    expect(fed).toEqual([]);
    expect(await feeder([0, 10], 20)()).toBe(20);
    const queued = await waitingIds();
    // Every fresh lead is in the first refill, behind at most the lookahead.
    expect(queued.filter((id) => forms.includes(id)).sort()).toEqual([...forms].sort());
    // Places the form lane did not need went to the backfill, oldest first.
    expect(queued.filter((id) => backfill.includes(id))).toHaveLength(15);
  });

  it("gives a busy backfill lane its share even while form leads keep coming", async () => {
    await admit(100, 10);
    await admit(100, 0);
    expect(await feeder([0, 10], 20)()).toBe(20);
    const queued = await waitingIds();
    const leads = await Promise.all(queued.map((id) => store.leads.get(id)));
    const byLane = (priority: number) => leads.filter((lead) => lead?.priority === priority);
    expect(byLane(0)).toHaveLength(18);
    expect(byLane(10)).toHaveLength(2);
  });

  it("adds a lead once while its job lives, and again when Redis lost it and the lease ended", async () => {
    const [id] = await admit(1, 0);
    const feed = feeder([0], 20);
    expect(await feed()).toBe(1);
    await clock.advance(FEED_LEASE_MS);
    // Lease over but the job still waits: feeding again adds nothing new.
    await feed();
    expect(await waitingIds()).toEqual([id]);
    // Redis lost it (restart without persistence): the outbox still has the lead.
    await queue.obliterate({ force: true });
    expect(await feed()).toBe(0);
    await clock.advance(FEED_LEASE_MS);
    expect(await feed()).toBe(1);
    expect(await waitingIds()).toEqual([id]);
    expect((await store.leads.get(id!))?.state).toBe("queued");
  });

  it("feeds nothing while another feeder holds the workspace's lock, and looks again soon", async () => {
    await admit(5, 0);
    await redis.set(`${prefix}:feed-lock`, "someone-else", "PX", 5000);
    let result: number | undefined;
    const pass = feeder([0], 20)().then((fed) => {
      result = fed;
    });
    // The holder may have read the outbox before these leads came: the pass asks its loop to
    // run again after a short wait (1, as if it had fed), not after the idle poll.
    for (let i = 0; i < 100 && result === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await clock.advance(20);
    }
    await pass;
    expect(result).toBe(1);
    expect(await queue.getWaitingCount()).toBe(0);
    await redis.del(`${prefix}:feed-lock`);
    expect(await feeder([0], 20)()).toBe(5);
  });
});
