/**
 * The NATS sides of the bus benchmark: claypipe's NATS bus (pulling batches
 * of BENCH_BATCH, as the raw consumers do) and the raw JetStream client, read
 * with consume() and with a fetch() loop; cleanup deletes the run's streams.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Bus } from "../src/bus/bus.js";
import { createNatsBus } from "../src/bus/nats/nats-bus.js";
import { type BenchPlan, type BrokerSetup, portTarget } from "./bus-bench-measures.js";
import { natsStreamName, rawNatsTarget } from "./bus-raw-nats.js";

export async function natsSetup(
  servers: string,
  plan: BenchPlan,
  topicPrefix: string,
): Promise<BrokerSetup> {
  let bus: Bus;
  try {
    bus = await createNatsBus({ servers, pullBatch: plan.batch });
  } catch (error) {
    throw new Error(
      `the bus benchmark needs NATS with JetStream at ${servers} (${(error as Error).message}); start nats-server -js, or set NATS_URL`,
    );
  }
  const raws = [await rawNatsTarget(servers, "consume"), await rawNatsTarget(servers, "fetch")];
  return {
    broker: `NATS JetStream at ${servers}`,
    bus,
    port: portTarget(`claypipe NATS bus (pullBatch ${plan.batch})`, bus, `${topicPrefix}.dlq`),
    raws,
    topicPrefix,
    async cleanup() {
      await Promise.all([bus, ...raws].map((side) => side.close()));
      await deleteStreams(servers, topicPrefix);
    },
  };
}

async function deleteStreams(servers: string, topicPrefix: string): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(natsStreamName(topicPrefix))) names.push(name);
    }
    await Promise.all(names.map((name) => jsm.streams.delete(name)));
  } finally {
    await nc.close();
  }
}
