/**
 * The raw Kafka baseline of the bus benchmark: the Confluent client's KafkaJS
 * API used directly for the same work as claypipe's Kafka adapter. Publishes a
 * batch in one `send` (acks from every in-sync replica, idempotent producer,
 * as the adapter), the same key, value and headers (the id in `claypipe_id`);
 * consumes with `eachMessage`, `concurrency` partitions at once, the offset of
 * each message stored once its handler resolved and committed by the client
 * (its autoCommit, and at disconnect). No key lanes beyond partitions, no
 * uncommitted bound, no retries, no dead letters.
 */
import type { OutgoingMessage } from "../src/bus/bus.js";
import { loadKafkaClient } from "../src/bus/kafka/kafka-client.js";
import type { BenchTarget } from "./bus-bench-measures.js";

/** The part of the client's KafkaJS API this baseline uses. */
interface KafkaJS {
  Kafka: new (
    config: Record<string, unknown>,
  ) => {
    producer(config: Record<string, unknown>): {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      send(record: { topic: string; messages: unknown[] }): Promise<unknown>;
    };
    consumer(config: Record<string, unknown>): {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      subscribe(options: { topics: string[] }): Promise<void>;
      run(options: {
        partitionsConsumedConcurrently: number;
        eachMessage: (payload: { message: { value: Buffer | null } }) => Promise<void>;
      }): Promise<void>;
    };
  };
}

// KafkaJS log levels: 1 = errors only.
const LOG_ERRORS_ONLY = 1;

export async function rawKafkaTarget(
  brokers: readonly string[],
  consumerConfig: Record<string, string | number>,
): Promise<BenchTarget> {
  // The adapter's loader only finds the module (or says what to install); the calls below are the client's own.
  const { Kafka } = ((await loadKafkaClient()) as unknown as { KafkaJS: KafkaJS }).KafkaJS;
  const kafka = new Kafka({
    kafkaJS: { brokers: [...brokers], clientId: "claypipe-bench-raw", logLevel: LOG_ERRORS_ONLY },
  });
  const producer = kafka.producer({ kafkaJS: { acks: -1, idempotent: true } });
  await producer.connect();

  const record = (message: OutgoingMessage) => ({
    key: Buffer.from(message.key),
    value: Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength),
    headers:
      message.id === undefined ? message.headers : { ...message.headers, claypipe_id: message.id },
  });

  return {
    name: "raw @confluentinc/kafka-javascript (KafkaJS API)",
    // The mock cluster creates topics on first use, as it does for the port.
    ensureTopic: async () => undefined,
    async publish(topic, batch) {
      await producer.send({ topic, messages: batch.map(record) });
    },
    async consume(topic, group, plan, handle, signal) {
      const consumer = kafka.consumer({
        ...consumerConfig,
        kafkaJS: { groupId: group, fromBeginning: true, autoCommit: true },
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic] });
        await consumer.run({
          partitionsConsumedConcurrently: plan.concurrency,
          eachMessage: async ({ message }) => {
            if (message.value) handle(message.value);
          },
        });
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener("abort", () => resolve(), { once: true });
        });
      } finally {
        await consumer.disconnect();
      }
    },
    close: () => producer.disconnect(),
  };
}
