/** Reads back every message of a topic with a bus consumer of a fresh group (the tests' view of what arrived). */
import { randomBytes } from "node:crypto";
import type { BusMessage } from "../../../src/bus/bus.js";
import { createNatsBus } from "../../../src/bus/nats/nats-bus.js";
import { NATS_URL } from "../../bus/fixtures/nats-server.js";

export async function readTopic(topic: string): Promise<BusMessage[]> {
  const bus = await createNatsBus({ servers: NATS_URL });
  try {
    const group = `reader-${randomBytes(4).toString("hex")}`;
    // A group that never consumed lags by the whole topic: that many messages to read.
    const total = (await bus.lag(topic, group)).reduce((sum, lag) => sum + lag.pending, 0);
    if (total === 0) return [];
    const seen: BusMessage[] = [];
    const stop = new AbortController();
    await bus.consume(
      { topic, group, deadLetterTopic: `${topic}.dlq` },
      async (message) => {
        seen.push(message);
        if (seen.length >= total) stop.abort();
        return "ack";
      },
      stop.signal,
    );
    return seen;
  } finally {
    await bus.close();
  }
}
