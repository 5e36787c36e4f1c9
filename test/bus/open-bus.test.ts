/** openBus opens the adapter the config names, on the machine's NATS. */
import { describe, expect, it } from "vitest";
import { openBus } from "../../src/bus/open-bus.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "./fixtures/nats-server.js";

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

  it("refuses a Kafka bus in a build without the Kafka adapter, saying what to use", async () => {
    const opening = openBus({ kafka: { brokers: ["127.0.0.1:9092"], clientId: "c", tls: false } });
    await expect(opening).rejects.toBeInstanceOf(ClaypipeError);
    await expect(opening).rejects.toMatchObject({
      code: "config_invalid",
      hint: expect.stringContaining("bus.nats"),
    });
  });
});
