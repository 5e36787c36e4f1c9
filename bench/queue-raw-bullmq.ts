/**
 * The raw BullMQ baseline of the queue benchmarks: the jobs claypipe's queue
 * tier carries, with nothing around them. Enqueue is Queue.addBulk of the
 * leads themselves; HTTP intake, a Fastify handler doing queue.add; end to end,
 * a Worker POSTs each lead to Clay's webhook with a callback_url pointing at a
 * bare HTTP receiver that only counts. It has no durable outbox (Redis alone
 * holds the jobs), no dedupe, no credit budget, no shared rate limit or
 * breaker, no callback verification, no routing, no DLQ.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue, Worker } from "bullmq";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { inBatches, withTimeout } from "./queue-bench-services.js";

export interface RawQueueOptions {
  redisUrl: string;
  /** BullMQ's key prefix. */
  prefix: string;
  queueName: string;
}

export interface BatchPlan {
  size: number;
  parallel: number;
}

/** Adds one job per lead, the lead as its data, in batches; resolves with the seconds it took. */
export async function rawEnqueue(
  options: RawQueueOptions,
  leads: ReadonlyArray<Record<string, string>>,
  plan: BatchPlan,
): Promise<number> {
  const connection = new Redis(options.redisUrl);
  const queue = new Queue(options.queueName, { connection, prefix: options.prefix });
  try {
    await queue.waitUntilReady();
    const start = performance.now();
    await inBatches(leads, plan.size, plan.parallel, (batch) =>
      queue.addBulk(batch.map((lead) => ({ name: "send", data: lead }))),
    );
    return (performance.now() - start) / 1000;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface RawEndToEnd {
  seconds: number;
  callbacks: number;
  /** Jobs BullMQ ran again after a failed POST (429s, errors). */
  retriedJobs: number;
}

/**
 * Enqueues every lead and waits until Clay has called back for each; `concurrency`
 * POSTs in flight, as claypipe's sender.concurrency.
 */
export async function rawEndToEnd(
  options: RawQueueOptions & { webhookUrl: string; concurrency: number; timeoutMs: number },
  leads: ReadonlyArray<Record<string, string>>,
  plan: BatchPlan,
): Promise<RawEndToEnd> {
  let callbacks = 0;
  let retriedJobs = 0;
  let allCalledBack: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allCalledBack = resolve;
  });
  const receiver = createServer((request, response) => {
    request.resume();
    request.once("end", () => {
      response.writeHead(200).end();
      if (++callbacks === leads.length) allCalledBack();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const queueConnection = new Redis(options.redisUrl);
  const workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(options.queueName, {
    connection: queueConnection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 20,
      backoff: { type: "fixed", delay: 200 },
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
  const worker = new Worker(
    options.queueName,
    async (job) => {
      const answer = await fetch(options.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          ...job.data,
          claypipe_id: job.id,
          callback_url: `${receiverUrl}/callbacks/${job.id}`,
        }),
      });
      await answer.arrayBuffer();
      if (!answer.ok) throw new Error(`Clay answered ${answer.status}`);
    },
    { connection: workerConnection, prefix: options.prefix, concurrency: options.concurrency },
  );
  worker.on("failed", () => {
    retriedJobs += 1;
  });
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    const start = performance.now();
    await inBatches(leads, plan.size, plan.parallel, (batch) =>
      queue.addBulk(batch.map((lead) => ({ name: "send", data: lead }))),
    );
    await withTimeout(done, options.timeoutMs, `raw BullMQ's ${leads.length} callbacks`);
    return { seconds: (performance.now() - start) / 1000, callbacks, retriedJobs };
  } finally {
    await worker.close();
    await queue.close();
    queueConnection.disconnect();
    workerConnection.disconnect();
    receiver.close();
  }
}

export interface RawIntakeServer {
  url: string;
  /** Jobs waiting in the queue. */
  jobs(): Promise<number>;
  close(): Promise<void>;
}

/** The bare HTTP intake: a Fastify handler that adds the body as a job and answers 202. */
export async function startRawIntakeServer(options: RawQueueOptions): Promise<RawIntakeServer> {
  const connection = new Redis(options.redisUrl);
  const queue = new Queue(options.queueName, { connection, prefix: options.prefix });
  const app = Fastify();
  app.post("/v1/leads", async (request, reply) => {
    await queue.add("send", request.body);
    return reply.code(202).send({ accepted: 1 });
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `${url}/v1/leads`,
    jobs: () => queue.getWaitingCount(),
    async close() {
      await app.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
