/**
 * The NATS JetStream bus runs the Bus contract on the machine's NATS (streams
 * named after a prefix of each test's own, deleted afterwards).
 */
import { createNatsBus } from "../../src/bus/nats/nats-bus.js";
import { busContract } from "./bus-contract.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "./fixtures/nats-server.js";

busContract("NATS JetStream bus", async () => {
  const topicPrefix = uniqueTopicPrefix("bus");
  // A short ack wait: a delivery lost with a stopped member comes back within the test's waits.
  const bus = await createNatsBus({ servers: NATS_URL, ackWaitMs: 5000 });
  return { bus, topicPrefix, cleanup: () => deleteStreams(NATS_URL, topicPrefix) };
});
