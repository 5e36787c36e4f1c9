/** openBus opens the adapter the config names, on the machine's NATS. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openBus } from "../../src/bus/open-bus.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "./fixtures/nats-server.js";
import { describeKafka } from "./kafka-test-setup.js";

describe("openBus", () => {
  it("opens a NATS bus that publishes and reports lag", async () => {
    const prefix = uniqueTopicPrefix("open-bus");
    const topic = `${prefix}.t`;
    const bus = await openBus({ nats: { servers: NATS_URL } });
    try {
      await bus.publish(topic, [{ key: "k", value: new TextEncoder().encode("{}") }]);
      expect(await bus.lag(topic, "nobody")).toMatchObject([{ topic, pending: 1 }]);
    } finally {
      await bus.close();
      await deleteStreams(NATS_URL, prefix);
    }
  });

  it("names what to set when the bus names no broker", async () => {
    await expect(openBus({})).rejects.toMatchObject({
      code: "config_invalid",
      hint: expect.stringContaining("bus.kafka.brokers"),
    });
  });
});

describeKafka("openBus on Kafka", (cluster) => {
  it("opens a Kafka bus that publishes and reports lag", async () => {
    const topic = `open-bus-${randomBytes(4).toString("hex")}`;
    const bus = await openBus({
      kafka: { brokers: cluster().bootstrap.split(","), clientId: "claypipe-test", tls: false },
    });
    try {
      await bus.publish(topic, [{ key: "k", value: new TextEncoder().encode("{}") }]);
      const lag = await bus.lag(topic, "nobody");
      expect(lag.reduce((sum, partition) => sum + partition.pending, 0)).toBe(1);
    } finally {
      await bus.close();
    }
  });
});
