/**
 * The queue tier's transport: one BullMQ queue per Clay workspace on Redis.
 * Feeders top each queue up from the PostgreSQL outbox (feeder.ts); workers in
 * any number of processes take jobs and send their leads (send-processor.ts)
 * under the workspace's shared rate limit and breaker. Retries wait in BullMQ
 * with backoff; the last failed send puts the lead in claypipe's DLQ.
 *
 * Roles: an API process only feeds (new leads go into the queue at once); a
 * worker process feeds, works, and recovers sends whose lease ran out with no
 * worker holding their job (a job Redis lost).
 */
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { ClaypipeConfig, QueueConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import { importBackend } from "../../core/import-backend.js";
import { type LoopOptions, runLoop } from "../../core/run-loop.js";
import type { Logger } from "../../logging/create-logger.js";
import { closeRedis, openRedis } from "../../redis/open-redis.js";
import type { Store } from "../../store/store.js";
import { workspaceLanes } from "../priority-lanes.js";
import type { SendHandler, Transport } from "../transport.js";
import { createFeeder, feedLeaseMs } from "./feeder.js";
import { feedLockKey, type SendJobData, sendQueueName } from "./queue-names.js";
import { createSendProcessor, sendBackoff } from "./send-processor.js";
import { lockOptions } from "./takeover.js";

export interface QueueRole {
  /** Moves leads from the outbox into the queues. */
  feed: boolean;
  /** Takes jobs and sends their leads to Clay. */
  work: boolean;
}

/** Looks for sends with no worker left this often, or each sendLease when that is shorter. */
const LOST_SEND_SWEEP_MS = 30_000;
/** Job runs beyond a lead's sends, for store or Redis blips mid-job. */
const SPARE_ATTEMPTS = 5;

export interface BullmqTransportContext {
  config: ClaypipeConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
}

export async function createBullmqTransport(
  ctx: BullmqTransportContext,
  role: QueueRole,
): Promise<Transport> {
  const queueConfig = ctx.config.queue as QueueConfig;
  const { prefix } = queueConfig;
  const { logger } = ctx;
  const workspaces = ctx.config.clay.workspaces.map((workspace) => workspace.name);
  const bullmq = await importBackend("bullmq", "the queue tier", () => import("bullmq"));
  const feederRedis = await openRedis(queueConfig.redis.connectionString, {
    logger,
    purpose: "feeder",
  });
  const queues = new Map(
    workspaces.map((workspace) => [
      workspace,
      new bullmq.Queue<SendJobData>(sendQueueName(workspace), {
        connection: feederRedis,
        prefix,
        defaultJobOptions: {
          backoff: { type: "claypipe" },
          // The lead's history is in the store; a finished job only takes Redis memory.
          removeOnComplete: true,
          removeOnFail: true,
        },
      }),
    ]),
  );
  for (const queue of queues.values()) {
    queue.on("error", (error) => logger.warn({ err: error.message }, "BullMQ queue error"));
  }
  const createFeeders = (attempts: number) =>
    ctx.config.clay.workspaces.map(({ name, rateLimit }) => ({
      name: `feed:${name}`,
      step: createFeeder({
        workspace: name,
        lanes: workspaceLanes(ctx.config, name),
        lookahead: queueConfig.lookahead,
        queue: queues.get(name)!,
        redis: feederRedis,
        lockKey: feedLockKey(prefix, name),
        leads: ctx.store.leads,
        clock: ctx.clock,
        leaseMs: feedLeaseMs(queueConfig, rateLimit),
        attempts,
      }),
    }));
  const newWork = new Set<() => void>();
  const wakeFeeders = () => {
    for (const wake of newWork) wake();
  };
  let workerRedis: Redis | undefined;

  const startWorkers = async (
    handler: SendHandler,
    attempts: number,
    handBack: AbortSignal,
  ): Promise<Worker[]> => {
    workerRedis = await openRedis(queueConfig.redis.connectionString, {
      logger,
      purpose: "worker",
      blocking: true,
    });
    const processor = createSendProcessor(handler, {
      sendLeaseMs: queueConfig.sendLease,
      handBack,
    });
    return workspaces.map((workspace) => {
      const worker = new bullmq.Worker<SendJobData>(sendQueueName(workspace), processor, {
        connection: workerRedis!,
        prefix,
        concurrency: ctx.config.sender.concurrency,
        ...lockOptions(queueConfig.lockDuration),
        // A lead is safe whatever happens to its job (the store is the outbox): keep trying.
        maxStalledCount: attempts,
        settings: { backoffStrategy: sendBackoff },
      });
      worker.on("error", (error) =>
        logger.warn({ workspace, err: error.message }, "BullMQ worker error"),
      );
      // Each finished job makes room: the feeder looks at once rather than at its next poll.
      worker.on("completed", wakeFeeders);
      worker.on("failed", (job, error) => {
        wakeFeeders();
        if (error.name === "SendAgainLater") return;
        logger.warn(
          { workspace, leadId: job?.data.leadId, err: error.message },
          "a send job failed; BullMQ runs it again after a backoff",
        );
      });
      return worker;
    });
  };

  return {
    notify: wakeFeeders,
    async run(handler, signal) {
      const attempts = handler.maxSends + SPARE_ATTEMPTS;
      const loop = (options: Omit<LoopOptions, "clock" | "logger">) =>
        runLoop({ ...options, clock: ctx.clock, logger }, signal);
      const loops: Promise<void>[] = [];
      if (role.feed) {
        for (const feeder of createFeeders(attempts)) {
          loops.push(
            loop({
              name: feeder.name,
              step: feeder.step,
              idleMs: 500,
              wake: (listener) => {
                newWork.add(listener);
                return () => newWork.delete(listener);
              },
            }),
          );
        }
      }
      if (!role.work) {
        await Promise.all(loops);
        return;
      }
      loops.push(
        loop({
          name: "lost-sends",
          idleMs: Math.min(LOST_SEND_SWEEP_MS, queueConfig.sendLease),
          step: () => handler.recoverLostSends(),
        }),
      );
      const handBack = new AbortController();
      const workers = await startWorkers(handler, attempts, handBack.signal);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      // Stop taking jobs; let the sends in flight finish, then hand the rest back.
      const graceTimer = setTimeout(() => handBack.abort(), queueConfig.shutdownGrace);
      await Promise.all(workers.map((worker) => worker.close()));
      clearTimeout(graceTimer);
      await Promise.all(loops);
    },
    depth: () =>
      Promise.all(
        [...queues].map(async ([workspace, queue]) => {
          const counts = await queue.getJobCounts("wait", "active", "delayed");
          return {
            workspace,
            waiting: counts.wait ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
          };
        }),
      ),
    lag: async () => [],
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await closeRedis(feederRedis);
      if (workerRedis) await closeRedis(workerRedis);
    },
  };
}
