/**
 * The Kafka sides of the bus benchmark, on librdkafka's mock cluster (started
 * with kcat, as the Kafka tests do; topics are created on first use and go
 * with the cluster): claypipe's Kafka bus and the Confluent client's KafkaJS
 * API used directly. Undefined, with the reason, when the client or kcat is
 * missing.
 */
import { openKafkaBus } from "../src/bus/kafka/kafka-bus.js";
import { loadKafkaClient } from "../src/bus/kafka/kafka-client.js";
import { coerceError } from "../src/core/errors.js";
import { startMockCluster } from "../test/bus/kafka-mock-cluster.js";
import { type BrokerSetup, portTarget } from "./bus-bench-measures.js";
import { rawKafkaTarget } from "./bus-raw-kafka.js";

/**
 * The Kafka tests' consumer settings for the mock: it holds a group's next
 * join for a session timeout after a member leaves, where Kafka proceeds.
 */
const MOCK_CONSUMER_CONFIG = { "session.timeout.ms": 4000, "heartbeat.interval.ms": 500 };

/**
 * `maxUncommitted`: the adapter's maxUncommittedPerPartition (its default when
 * undefined): how far a partition may be handled beyond the confirmed commit.
 */
export async function kafkaSetup(
  topicPrefix: string,
  maxUncommitted: number | undefined,
): Promise<BrokerSetup | { skipped: string }> {
  try {
    await loadKafkaClient();
  } catch (thrown) {
    const error = coerceError(thrown);
    const hint = (error as { hint?: string }).hint;
    return { skipped: hint ? `${error.message}: ${hint}` : error.message };
  }
  let cluster: Awaited<ReturnType<typeof startMockCluster>>;
  try {
    cluster = await startMockCluster();
  } catch (thrown) {
    return { skipped: coerceError(thrown).message };
  }
  const brokers = cluster.bootstrap.split(",");
  const bus = await openKafkaBus({
    brokers,
    autoCreateTopics: true,
    consumerConfig: MOCK_CONSUMER_CONFIG,
    ...(maxUncommitted === undefined ? {} : { maxUncommittedPerPartition: maxUncommitted }),
  });
  const raw = await rawKafkaTarget(brokers, MOCK_CONSUMER_CONFIG);
  return {
    broker: `Kafka: librdkafka's mock cluster (3 brokers, kcat) at ${cluster.bootstrap}`,
    bus,
    port: portTarget(
      `claypipe Kafka bus (maxUncommittedPerPartition ${maxUncommitted ?? "default"})`,
      bus,
      `${topicPrefix}.dlq`,
    ),
    raws: [raw],
    topicPrefix,
    async cleanup() {
      await Promise.all([bus, raw].map((side) => side.close()));
      await cluster.stop();
    },
  };
}
