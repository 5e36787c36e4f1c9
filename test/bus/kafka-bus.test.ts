/**
 * The Bus contract on Kafka: the Confluent client against librdkafka's mock
 * cluster (a real Kafka-protocol broker, started by kcat for this file).
 */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { ClaypipeError } from "../../src/core/errors.js";
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

  it("refuses a message over the producer's message.max.bytes as too large", async () => {
    const bus = await openKafkaBus({
      brokers: cluster().bootstrap.split(","),
      autoCreateTopics: true,
    });
    try {
      const topic = `t-${randomBytes(4).toString("hex")}.big`;
      // 1 MB with its headers: over the default message.max.bytes of 1,000,000.
      const big = { key: "k", value: new Uint8Array(1_000_000), headers: { ce_id: "big" } };
      const error = await bus.publish(topic, [big]).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ClaypipeError);
      expect(error).toMatchObject({ code: "payload_too_large" });
      expect((error as ClaypipeError).hint).toContain("message.max.bytes");
    } finally {
      await bus.close();
    }
  });
});
