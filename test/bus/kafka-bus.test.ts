/**
 * The Bus contract on Kafka: the Confluent client against librdkafka's mock
 * cluster (a real Kafka-protocol broker, started by kcat for this file).
 */
import { randomBytes } from "node:crypto";
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { busContract } from "./bus-contract.js";
import { describeKafka, MOCK_CONSUMER_CONFIG } from "./kafka-test-setup.js";

describeKafka("Kafka bus (Confluent client, mock cluster)", (cluster) => {
  busContract("Kafka", async () => ({
    bus: await openKafkaBus({
      brokers: cluster().bootstrap.split(","),
      autoCreateTopics: true,
      consumerConfig: MOCK_CONSUMER_CONFIG,
    }),
    topicPrefix: `t-${randomBytes(4).toString("hex")}`,
    // The mock has no DeleteTopics: its topics go with the cluster at the end of the file.
    cleanup: async () => undefined,
  }));
});
