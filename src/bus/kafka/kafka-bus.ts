/**
 * The Bus on Kafka, through the KafkaJS-style API of the Confluent client.
 * Publishing waits for every in-sync replica (acks=-1, idempotent producer);
 * keys are record keys, so one lead's messages share a partition. Consuming:
 * kafka-consumer.ts; lag: kafka-lag.ts.
 */
import { ClaypipeError } from "../../core/errors.js";
import type { Bus, ConsumeOptions, Handler, OutgoingMessage, TopicLag } from "../bus.js";
import { checkOutgoing } from "../check-outgoing.js";
import {
  type KafkaAdmin,
  type KafkaProducer,
  type LibrdkafkaConfig,
  loadKafkaClient,
  type RdKafkaProducer,
} from "./kafka-client.js";
import { consumeKafka, DEFAULT_MAX_UNCOMMITTED } from "./kafka-consumer.js";
import { readLag } from "./kafka-lag.js";
import { toKafkaRecord } from "./kafka-message.js";

export interface KafkaBusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  /** @defaultValue "claypipe" */
  clientId?: string;
  /** librdkafka settings for every client, e.g. `security.protocol`, `sasl.mechanisms`. */
  clientConfig?: LibrdkafkaConfig;
  /** librdkafka settings for consumers only, e.g. `session.timeout.ms`. */
  consumerConfig?: LibrdkafkaConfig;
  /** Partitions of the topics `ensureTopics` creates. @defaultValue the broker's num.partitions */
  partitions?: number;
  /**
   * The broker creates topics on first use and `ensureTopics` creates none
   * (librdkafka's mock cluster has no CreateTopics).
   * @defaultValue false
   */
  autoCreateTopics?: boolean;
  /**
   * Messages of a partition a consumer handles beyond the commit the broker
   * confirmed: what a rebalance (or a crash) may have handled twice.
   * @defaultValue 1000
   */
  maxUncommittedPerPartition?: number;
  /** Bound on admin and metadata requests. @defaultValue 10000 */
  requestTimeoutMs?: number;
}

// Kafka's MESSAGE_TOO_LARGE, from the producer's own check (message.max.bytes) or the broker's.
const MESSAGE_TOO_LARGE = 10;
// KafkaJS log levels: 1 = errors only (the client logs through console otherwise).
const LOG_ERRORS_ONLY = 1;

export async function openKafkaBus(options: KafkaBusOptions): Promise<Bus> {
  const client = await loadKafkaClient();
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const common: LibrdkafkaConfig = { ...options.clientConfig };
  const kafka = new client.KafkaJS.Kafka({
    ...common,
    kafkaJS: {
      brokers: [...options.brokers],
      clientId: options.clientId ?? "claypipe",
      logLevel: LOG_ERRORS_ONLY,
    },
  });
  const producer: KafkaProducer = kafka.producer({ kafkaJS: { acks: -1, idempotent: true } });
  const admin: KafkaAdmin = kafka.admin();
  await producer.connect();
  await admin.connect();
  let metadataClient: Promise<RdKafkaProducer> | undefined;
  const metadata = () => {
    metadataClient ??= connectMetadataClient(client.Producer, {
      ...common,
      "bootstrap.servers": options.brokers.join(","),
      "client.id": `${options.clientId ?? "claypipe"}-metadata`,
    });
    return metadataClient;
  };

  const publish = async (topic: string, messages: readonly OutgoingMessage[]) => {
    checkOutgoing(topic, messages);
    if (messages.length === 0) return;
    try {
      await producer.send({ topic, messages: messages.map(toKafkaRecord) });
    } catch (error) {
      if ((error as { code?: unknown }).code !== MESSAGE_TOO_LARGE) throw error;
      throw new ClaypipeError(
        "payload_too_large",
        `a message to ${topic} and its headers are over the producer's or the topic's size limit`,
        {
          hint: "send smaller messages, or raise message.max.bytes (producer) and max.message.bytes (topic)",
          cause: error,
        },
      );
    }
  };

  return {
    capabilities: { dedupeById: false, keyOrderAcrossMembers: true },

    async ensureTopics(topics: readonly string[]): Promise<void> {
      if (options.autoCreateTopics) return;
      const missing = (existing: string[]) => topics.filter((topic) => !existing.includes(topic));
      const absent = missing(await admin.listTopics());
      if (absent.length === 0) return;
      const partitions =
        options.partitions === undefined ? {} : { numPartitions: options.partitions };
      const failure = await admin
        .createTopics({
          topics: absent.map((topic) => ({ topic, ...partitions })),
          timeout: requestTimeoutMs,
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      // Another instance may have created them meanwhile: only what is still missing is an error.
      const still = failure === undefined ? [] : missing(await admin.listTopics());
      if (still.length > 0) {
        throw new ClaypipeError(
          "state_unavailable",
          `the Kafka bus could not create the topics ${still.join(", ")}`,
          {
            hint: "create them on the cluster (or grant this client CreateTopics); on a broker that creates topics on first use, set autoCreateTopics",
            cause: failure,
          },
        );
      }
    },

    publish,

    consume(consumeOptions: ConsumeOptions, handler: Handler, signal: AbortSignal) {
      return consumeKafka(
        {
          maxUncommitted: options.maxUncommittedPerPartition ?? DEFAULT_MAX_UNCOMMITTED,
          createConsumer: (group, onRebalance) =>
            kafka.consumer({
              ...common,
              ...options.consumerConfig,
              kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false },
              rebalance_cb: (
                event: { code: number },
                assignment: Array<{ topic: string; partition: number }>,
              ) => onRebalance(event.code, assignment),
            }),
          publishDeadLetter: (topic, message) => publish(topic, [message]),
        },
        consumeOptions,
        handler,
        signal,
      );
    },

    async lag(topic: string, group: string): Promise<TopicLag[]> {
      return readLag(await metadata(), admin, topic, group, requestTimeoutMs);
    },

    async close(): Promise<void> {
      await producer.disconnect();
      await admin.disconnect();
      if (metadataClient) {
        const connected = await metadataClient;
        await new Promise<void>((resolve) => connected.disconnect(() => resolve()));
      }
    },
  };
}

function connectMetadataClient(
  Producer: new (config: LibrdkafkaConfig) => RdKafkaProducer,
  config: LibrdkafkaConfig,
): Promise<RdKafkaProducer> {
  const client = new Producer(config);
  return new Promise((resolve, reject) => {
    client.connect({}, (error) => (error ? reject(error) : resolve(client)));
  });
}
