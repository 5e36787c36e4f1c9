/**
 * The event tier's bus transport (feeding and enriching in one process) runs
 * the transport contract on the machine's NATS JetStream and on Kafka
 * (librdkafka's mock cluster), with topics of its own per test, and the tier's
 * PostgreSQL store on a schema of its own.
 */
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { openBus } from "../../src/bus/open-bus.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import { createBusTransport } from "../../src/transport/bus/bus-transport.js";
import {
  busTopics,
  deleteStreams,
  NATS_URL,
  uniqueTopicPrefix,
} from "../bus/fixtures/nats-server.js";
import { describeKafka, MOCK_CONSUMER_CONFIG } from "../bus/kafka-test-setup.js";
import { REDIS_URL, uniquePrefix } from "../clay/fixtures/redis-server.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import { type TransportFactory, transportContract } from "./transport-contract.js";

const schemas: string[] = [];
const topicPrefixes: string[] = [];

type BusKind = "nats" | "kafka";

function busTransportFactory(kind: BusKind, bootstrap?: () => string): TransportFactory {
  return {
    sideOptions: () => {
      const topicPrefix = uniqueTopicPrefix("transport");
      topicPrefixes.push(topicPrefix);
      return {
        openStore: (clock) => {
          const schema = randomSchema("bus_transport");
          schemas.push(schema);
          return createPostgresStore({ connectionString: DATABASE_URL, schema, clock });
        },
        config: {
          sender: { initialBackoff: 10, maxBackoff: 50, maxAttempts: 1, requestTimeout: 5000 },
          queue: {
            redis: { connectionString: REDIS_URL },
            prefix: uniquePrefix("bus-transport").replaceAll(":", "-"),
          },
          bus: {
            ...(kind === "nats"
              ? { nats: { servers: NATS_URL } }
              : { kafka: { brokers: bootstrap!().split(",") } }),
            topics: busTopics(topicPrefix),
          },
        },
      };
    },
    create: async (side) =>
      createBusTransport({
        config: side.config,
        store: side.store,
        clock: side.clock,
        logger: side.ctx.logger,
        bus:
          kind === "nats"
            ? await openBus(side.config.bus!)
            : // The mock cluster has no CreateTopics: topics come with their first message.
              await openKafkaBus({
                brokers: bootstrap!().split(","),
                autoCreateTopics: true,
                consumerConfig: MOCK_CONSUMER_CONFIG,
              }),
        role: { feed: true, work: true },
      }),
    async cleanUp() {
      for (const prefix of topicPrefixes.splice(0)) {
        if (kind === "nats") await deleteStreams(NATS_URL, prefix);
      }
      const admin = await connectAdmin();
      try {
        for (const schema of schemas.splice(0)) await dropSchema(admin, schema);
      } finally {
        await admin.end();
      }
    },
  };
}

transportContract("bus transport (NATS JetStream)", busTransportFactory("nats"));

describeKafka("bus transport on Kafka", (cluster) => {
  transportContract(
    "bus transport (Kafka)",
    busTransportFactory("kafka", () => cluster().bootstrap),
  );
});
