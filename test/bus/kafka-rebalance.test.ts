/**
 * Consumer-group rebalance on Kafka: a member joins mid-run and later leaves
 * while messages keep coming. Nothing published is lost, and messages handled
 * twice stay within the adapter's bound: a member handles a partition at most
 * `maxUncommittedPerPartition` messages beyond the commit the broker confirmed,
 * so each rebalance (eager: every partition is revoked) hands at most that many
 * per partition to be handled again. The mock, like Kafka, refuses commits
 * while the group rebalances, and the Confluent client does not report it:
 * without the bound, everything handled meanwhile came back.
 */
import { randomBytes } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import type { Bus, Handler } from "../../src/bus/bus.js";
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { until } from "./bus-contract.js";
import { describeKafka, MOCK_CONSUMER_CONFIG } from "./kafka-test-setup.js";

const CONCURRENCY = 4;
const MAX_UNCOMMITTED = 4;
const PARTITIONS = 4; // the mock cluster's default for a new topic
/**
 * Two rebalances (join, leave), each revoking every partition, and one more:
 * on a loaded machine a member can miss its session timeout and the group
 * rebalances again (a loaded CI run handled 40 twice against 32). Without the
 * adapter's bound, everything handled meanwhile comes back: hundreds.
 */
const BOUND = 3 * PARTITIONS * MAX_UNCOMMITTED;
const KEYS = 40;
const WAVE = 20;

describeKafka("Kafka bus: a member joins and leaves mid-run", (cluster) => {
  let bus: Bus | undefined;

  afterEach(async () => {
    await bus?.close();
  });

  it("loses nothing; duplicates stay within the uncommitted bound", {
    timeout: 180_000,
  }, async () => {
    const opened = await openKafkaBus({
      brokers: cluster().bootstrap.split(","),
      autoCreateTopics: true,
      consumerConfig: MOCK_CONSUMER_CONFIG,
      maxUncommittedPerPartition: MAX_UNCOMMITTED,
    });
    bus = opened;
    const prefix = `r-${randomBytes(4).toString("hex")}`;
    const options = {
      topic: `${prefix}.work`,
      group: `${prefix}-group`,
      deadLetterTopic: `${prefix}.dlq`,
      concurrency: CONCURRENCY,
    };
    const published: string[] = [];
    let waves = 0;
    const publishWave = async () => {
      const bodies = Array.from({ length: WAVE }, (_, index) => `w${waves}-${index}`);
      waves++;
      published.push(...bodies);
      await opened.publish(
        options.topic,
        bodies.map((body, index) => ({ key: `k${index % KEYS}`, value: Buffer.from(body) })),
      );
    };
    const member = () => {
      const handled: string[] = [];
      const stop = new AbortController();
      const handler: Handler = async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        handled.push(Buffer.from(message.value).toString());
        return "ack";
      };
      const done = opened.consume(options, handler, stop.signal);
      return {
        handled,
        stop: async () => {
          stop.abort();
          await done;
        },
      };
    };
    /** Publishes waves while `condition` is false (a bounded number). */
    const publishUntil = async (what: string, condition: () => boolean) => {
      for (let wave = 0; !condition(); wave++) {
        if (wave === 200) throw new Error(`${what}: not after 200 waves`);
        await publishWave();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    const first = member();
    await publishUntil("the first member handles messages", () => first.handled.length >= 2 * WAVE);
    const second = member();
    await publishUntil("the second member gets partitions", () => second.handled.length >= WAVE);
    await second.stop();
    const handledBySecond = second.handled.length;
    for (let wave = 0; wave < 5; wave++) await publishWave();

    const all = () => [...first.handled, ...second.handled];
    await until(
      "every published message handled",
      () => {
        const handled = new Set(all());
        return published.every((body) => handled.has(body));
      },
      120_000,
    );
    await first.stop();

    const duplicates = all().length - new Set(all()).size;
    console.log(
      `rebalance: ${published.length} published, ${all().length} handled (${handledBySecond} by the member that left), ${duplicates} twice; bound ${BOUND}`,
    );
    expect(new Set(all())).toEqual(new Set(published));
    expect(handledBySecond).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(BOUND);
  });
});
