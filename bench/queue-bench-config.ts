/**
 * The queue-tier pipeline the benchmarks run, as a user writes it: YAML with
 * every secret a `${VAR}` reference, and the environment that fills them. The
 * same text runs in-process (parseConfig) and in `claypipe start` processes.
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
  /** The file sink every delivered lead goes to (JSONL). */
  sinkPath: string;
  stateDir: string;
  /** sender.concurrency: jobs each worker runs at once. @defaultValue the config default (4) */
  concurrency?: number;
  /** queue.lookahead. @defaultValue the config default (20) */
  lookahead?: number;
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
  const text = `tier: queue
clay:
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
  - { name: out, type: file, path: ${options.sinkPath} }
stateDir: ${options.stateDir}
logLevel: warn
`;
  return { text, env, apiKey, parse: () => parseConfig(text, { env }) };
}
