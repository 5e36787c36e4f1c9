/**
 * What the Kafka tests need, checked once: the Confluent client (an optional
 * peer dependency, built by scripts/install-kafka-client.sh) and kcat (the
 * mock cluster). Without them the tests are skipped with the reason in their
 * name, or fail when CLAYPIPE_REQUIRE_KAFKA=1 (CI, which installs both).
 * The client's native module is built for one Node.js ABI: on another Node.js
 * (npm test's second run, on Node 24) the tests are skipped, saying so, even
 * when required.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, it } from "vitest";
import { loadKafkaClient } from "../../src/bus/kafka/kafka-client.js";
import { coerceError } from "../../src/core/errors.js";
import { type MockCluster, startMockCluster } from "./kafka-mock-cluster.js";

async function missing(): Promise<string | undefined> {
  try {
    await loadKafkaClient();
  } catch (thrown) {
    const error = coerceError(thrown);
    if (String((error.cause as Error | undefined)?.message).includes("NODE_MODULE_VERSION")) {
      builtForAnotherNode = true;
      return `the Kafka client is built for another Node.js than ${process.version}`;
    }
    const hint = (error as { hint?: string }).hint;
    return hint ? `${error.message}: ${hint}` : error.message;
  }
  if (spawnSync("kcat", ["-V"]).error) {
    return "kcat is not installed (librdkafka's mock cluster): run scripts/install-kafka-client.sh";
  }
  return undefined;
}

/**
 * After a member leaves, the mock (librdkafka 2.0.2) holds the group's next
 * join until a session timeout has passed, where Kafka proceeds at once: a
 * short session keeps hand-overs in the tests to seconds.
 */
export const MOCK_CONSUMER_CONFIG = { "session.timeout.ms": 4000, "heartbeat.interval.ms": 500 };

let builtForAnotherNode = false;
const unavailable = await missing();
const required = process.env.CLAYPIPE_REQUIRE_KAFKA === "1";

/**
 * A describe block with a mock cluster of its own (`cluster()` inside tests and
 * hooks), skipped or failing as above when the client or kcat is missing.
 */
export function describeKafka(name: string, body: (cluster: () => MockCluster) => void): void {
  if (unavailable && required && !builtForAnotherNode) {
    describe(name, () => {
      it("has the Kafka client and kcat (CLAYPIPE_REQUIRE_KAFKA=1)", () => {
        throw new Error(unavailable);
      });
    });
    return;
  }
  if (unavailable) {
    describe.skip(`${name} (skipped: ${unavailable})`, () => {
      it("needs the Kafka client and kcat", () => undefined);
    });
    return;
  }
  describe(name, () => {
    let started: MockCluster | undefined;
    beforeAll(async () => {
      started = await startMockCluster();
    });
    afterAll(async () => {
      await started?.stop();
    });
    body(() => {
      if (!started) throw new Error("the mock cluster did not start");
      return started;
    });
  });
}
