/**
 * The queue-tier pipeline the benchmarks run, as a user writes it: YAML with
 * every secret a `${VAR}` reference, and the environment that fills them. The
 * same text runs in-process (parseConfig) and in `claypipe start` processes.
 * With a bus it is the event tier: the same config plus the `bus` section.
 */
import { randomBytes } from "node:crypto";
import { parseConfig } from "../src/config/load-config.js";
import type { ClaypipeConfig } from "../src/config/schema.js";
import { type BenchServices, DATABASE_URL, REDIS_URL } from "./queue-bench-services.js";

export interface QueueBenchConfigOptions {
  services: Pick<BenchServices, "schema" | "prefix">;
  /** The workspace's name here and its id at the emulator. */
  workspace: string;
  rateLimit: { perSecond: number; burst: number };
  webhookUrl: string;
  /** The API process's port; Clay calls back to it. */
  port: number;
  /**
   * Where every delivered lead goes: a file (JSONL), or a PostgreSQL table in
   * DATABASE_URL's public schema (one row per person, with the time it was written).
   */
  sink: { file: string } | { postgresTable: string };
  stateDir: string;
  /** sender.concurrency: jobs each worker runs at once. @defaultValue the config default (4) */
  concurrency?: number;
  /** queue.lookahead. @defaultValue the config default (20) */
  lookahead?: number;
  /** Run the event tier on this broker, its topics named under `topicPrefix`. @defaultValue the queue tier */
  bus?: BenchBus;
}

export interface BenchBus {
  broker: { nats: string } | { kafka: string[] };
  topicPrefix: string;
}

export interface QueueBenchConfig {
  text: string;
  /** The variables the text refers to. */
  env: Record<string, string>;
  /** The API key for POST /v1/leads. */
  apiKey: string;
  /** The text, parsed as `claypipe start` parses a file. */
  parse(): ClaypipeConfig;
}

export function queueBenchConfig(options: QueueBenchConfigOptions): QueueBenchConfig {
  const apiKey = randomBytes(16).toString("hex");
  const env = {
    DATABASE_URL,
    REDIS_URL,
    CALLBACK_SECRET: randomBytes(32).toString("hex"),
    INTAKE_API_KEY: apiKey,
  };
  const sender =
    options.concurrency === undefined ? "" : `sender: { concurrency: ${options.concurrency} }\n`;
  const lookahead = options.lookahead === undefined ? "" : `  lookahead: ${options.lookahead}\n`;
  const { perSecond, burst } = options.rateLimit;
  const sink =
    "file" in options.sink
      ? `type: file, path: ${options.sink.file}`
      : `type: postgres, connectionString: "\${DATABASE_URL}", table: ${options.sink.postgresTable}`;
  const text = `tier: ${options.bus ? "event" : "queue"}
${options.bus ? busSection(options.bus) : ""}clay:
  workspaces:
    - name: ${options.workspace}
      rateLimit: { perSecond: ${perSecond}, burst: ${burst} }
      tables:
        - name: leads
          webhooks:
            - url: ${options.webhookUrl}
${sender}callbacks:
  baseUrl: http://127.0.0.1:${options.port}
  secret: \${CALLBACK_SECRET}
server: { port: ${options.port}, apiKeys: ["\${INTAKE_API_KEY}"] }
store:
  postgres: { connectionString: "\${DATABASE_URL}", schema: ${options.services.schema} }
queue:
  redis: { connectionString: "\${REDIS_URL}" }
  prefix: ${options.services.prefix}
${lookahead}routes: { default: [out] }
sinks:
  - { name: out, ${sink} }
stateDir: ${options.stateDir}
logLevel: warn
`;
  return { text, env, apiKey, parse: () => parseConfig(text, { env }) };
}

function busSection({ broker, topicPrefix }: BenchBus): string {
  const connection =
    "nats" in broker
      ? `nats: { servers: "${broker.nats}" }`
      : `kafka: { brokers: [${broker.kafka.map((address) => `"${address}"`).join(", ")}] }`;
  return `bus:
  ${connection}
  topics: { incoming: ${topicPrefix}.incoming, deadLetters: ${topicPrefix}.dlq, enriched: ${topicPrefix}.enriched, leadEvents: ${topicPrefix}.events }
`;
}
