/**
 * The part of the Kafka client the adapter uses: the KafkaJS-style API of
 * `@confluentinc/kafka-javascript` (its `KafkaJS` export), typed here so
 * claypipe compiles without the client installed, plus two calls of its
 * librdkafka API (topic metadata, watermarks) that the KafkaJS API only offers
 * through DescribeTopics, which librdkafka's mock cluster does not answer.
 * The client is an optional peer dependency built from source: loaded only
 * when a config names the Kafka bus.
 */
import { ClaypipeError } from "../../core/errors.js";
import { importBackend } from "../../core/import-backend.js";

export const KAFKA_CLIENT_PACKAGE = "@confluentinc/kafka-javascript";
/** The version scripts/install-kafka-client.sh builds and CI tests. */
export const KAFKA_CLIENT_VERSION = "1.10.1";

const INSTALL_HINT =
  "install the client, built against your system's libraries: `sudo apt-get install libssl-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev` then " +
  `\`CKJS_LINKING=dynamic npm install ${KAFKA_CLIENT_PACKAGE}@${KAFKA_CLIENT_VERSION}\` where claypipe is installed (npm 11 also needs it under "allowScripts" in package.json; scripts/install-kafka-client.sh does all this)`;

export type LibrdkafkaConfig = Record<string, string | number | boolean>;

export interface KafkaHeaders {
  [name: string]: Buffer | string | Array<Buffer | string> | undefined;
}

export interface KafkaOutgoing {
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: KafkaOutgoing[] }): Promise<unknown>;
}

export interface KafkaEachMessagePayload {
  topic: string;
  partition: number;
  message: { key: Buffer | null; value: Buffer | null; offset: string; headers?: KafkaHeaders };
}

export interface TopicPartitionOffsetAndMetadata {
  topic: string;
  partition: number;
  offset: string;
  metadata?: string | null;
}

export interface KafkaConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(options: { topics: string[] }): Promise<void>;
  run(options: { eachMessage: (payload: KafkaEachMessagePayload) => Promise<void> }): Promise<void>;
  /** Resolves once the commit is queued (Confluent client), not when the broker took it. */
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  pause(partitions: Array<{ topic: string; partitions: number[] }>): void;
  resume(partitions: Array<{ topic: string; partitions: number[] }>): void;
  committed(
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<TopicPartitionOffsetAndMetadata[]>;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** `timeout` (ms) bounds the metadata request; without it, an unreachable broker is waited for. */
  listTopics(options?: { timeout?: number }): Promise<string[]>;
  createTopics(options: {
    topics: Array<{ topic: string; numPartitions?: number }>;
    timeout?: number;
  }): Promise<boolean>;
  fetchOffsets(options: {
    groupId: string;
    topics: Array<{ topic: string; partitions: number[] }>;
  }): Promise<
    Array<{
      topic: string;
      partitions: Array<{ partition: number; offset: string; metadata: string | null }>;
    }>
  >;
}

/** librdkafka's rebalance events, as the Confluent client hands them to `rebalance_cb`. */
export const REBALANCE = { assign: -175, revoke: -174 } as const;

export interface KafkaJSModule {
  /** `config`: librdkafka settings, and the KafkaJS ones under `kafkaJS`. */
  Kafka: new (
    config: Record<string, unknown>,
  ) => {
    producer(config: Record<string, unknown>): KafkaProducer;
    consumer(config: Record<string, unknown>): KafkaConsumer;
    admin(config?: Record<string, unknown>): KafkaAdmin;
  };
}

/** The librdkafka-API client used for topic metadata and watermarks. */
export interface RdKafkaProducer {
  connect(options: unknown, callback: (error: Error | null) => void): void;
  disconnect(callback: () => void): void;
  getMetadata(
    options: { topic: string; timeout: number },
    callback: (
      error: Error | null,
      metadata: { topics: Array<{ name: string; partitions: Array<{ id: number }> }> },
    ) => void,
  ): void;
  queryWatermarkOffsets(
    topic: string,
    partition: number,
    timeout: number,
    callback: (error: Error | null, offsets: { highOffset: number; lowOffset: number }) => void,
  ): void;
}

export interface ConfluentKafkaModule {
  KafkaJS: KafkaJSModule;
  Producer: new (config: LibrdkafkaConfig) => RdKafkaProducer;
}

/** The client module; a ClaypipeError saying what to install when it is missing or does not load. */
export async function loadKafkaClient(): Promise<ConfluentKafkaModule> {
  const loaded = await importBackend(
    KAFKA_CLIENT_PACKAGE,
    "the Kafka bus",
    () => import(KAFKA_CLIENT_PACKAGE) as Promise<unknown>,
    INSTALL_HINT,
  ).catch((thrown: unknown) => {
    throw notLoadable(thrown) ?? thrown;
  });
  const module = loaded as { default?: ConfluentKafkaModule } & ConfluentKafkaModule;
  return module.default ?? module;
}

/** Installed but unusable: never built (npm skipped its install script), or built for another Node.js. */
function notLoadable(thrown: unknown): ClaypipeError | undefined {
  if (thrown instanceof ClaypipeError || !(thrown instanceof Error)) return undefined;
  if (thrown.message.includes("Could not locate the bindings file")) {
    return new ClaypipeError(
      "config_invalid",
      `the Kafka bus found ${KAFKA_CLIENT_PACKAGE} installed but not built (npm ran no install script for it)`,
      { hint: INSTALL_HINT, cause: thrown },
    );
  }
  if ((thrown as { code?: unknown }).code !== "ERR_DLOPEN_FAILED") return undefined;
  return new ClaypipeError(
    "config_invalid",
    `the Kafka bus could not load ${KAFKA_CLIENT_PACKAGE}'s native module on Node.js ${process.version} (built for another Node.js, or a system library is missing)`,
    {
      hint: `rebuild it here: \`CKJS_LINKING=dynamic npm rebuild ${KAFKA_CLIENT_PACKAGE}\`, or ${INSTALL_HINT}`,
      cause: thrown,
    },
  );
}
