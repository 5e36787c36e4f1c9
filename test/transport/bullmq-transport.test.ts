/**
 * The queue tier's BullMQ transport (feeding and working in one process) runs
 * the transport contract on the real Redis, under a key prefix of its own, with
 * the tier's PostgreSQL store on a schema of its own per test.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import { createBullmqTransport } from "../../src/transport/bullmq/bullmq-transport.js";
import {
  connectRedis,
  deleteKeys,
  REDIS_URL,
  uniquePrefix,
} from "../clay/fixtures/redis-server.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import { transportContract } from "./transport-contract.js";

const schemas: string[] = [];
const prefix = uniquePrefix("transport").replaceAll(":", "-");
let redis: Redis;

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  if (!redis) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

transportContract("BullMQ transport", {
  sideOptions: () => ({
    openStore: (clock) => {
      const schema = randomSchema("transport");
      schemas.push(schema);
      return createPostgresStore({ connectionString: DATABASE_URL, schema, clock });
    },
    config: {
      sender: { initialBackoff: 10, maxBackoff: 50, maxAttempts: 1, requestTimeout: 5000 },
      queue: { redis: { connectionString: REDIS_URL }, prefix },
    },
  }),
  create: (side) => createBullmqTransport(side.ctx, { feed: true, work: true }),
  async cleanUp() {
    const admin = await connectAdmin();
    try {
      for (const schema of schemas.splice(0)) await dropSchema(admin, schema);
    } finally {
      await admin.end();
    }
  },
});
