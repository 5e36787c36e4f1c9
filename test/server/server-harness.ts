/**
 * The server over real HTTP with a real standard-tier pipeline behind it: a
 * SQLite store in a temp folder, the Clay emulator whose HTTP API column calls
 * back to this server's /v1/callbacks/clay/…, and a file sink. The server's own
 * log lines are captured, to check what it logs (and what it never does).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../../src/config/schema.js";
import {
  type EmulatorTableSpec,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import type { LeadView, Pipeline } from "../../src/pipeline/pipeline-api.js";
import {
  type ClaypipeServer,
  createServer,
  type ServerOptions,
} from "../../src/server/create-server.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";
import { captureLogs, type LogLine } from "../clay/log-capture.js";

export const API_KEY = "test-api-key-0123456789";
export const SECRET = "x".repeat(40);
export const TABLE_ID = "t_server";
export const SINK_FILE = "delivered.jsonl";

export interface HarnessOptions {
  /** Overrides of the emulator table (enrichment, httpApiColumn). */
  table?: Partial<EmulatorTableSpec>;
  /** Overrides of the config's workspace (credits, costEstimate). */
  workspace?: Record<string, unknown>;
  /** Overrides of the config's `server` block. */
  server?: Record<string, unknown>;
  /** Top-level config overrides (callbacks, sender, sources…). */
  config?: Record<string, unknown>;
  /** Start the pipeline's background loops. @defaultValue true */
  start?: boolean;
  /** The dashboard's clock and live interval. */
  dashboard?: ServerOptions["dashboard"];
}

export interface Harness {
  url: string;
  config: ClaypipeConfig;
  pipeline: Pipeline;
  server: ClaypipeServer;
  emulator: RunningEmulator;
  /** The server's log lines (debug and up). */
  logs: LogLine[];
  dir: string;
  /** A JSON request with the API key (unless `auth: false` or another header is given). */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** Polls the lead until `done` holds for its view (default: delivered or dead). */
  waitForLead(id: string, done?: (view: LeadView) => boolean): Promise<LeadView>;
  /** Records in the file sink. */
  sinkRecords(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server answered
  body: any;
  text: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-server-"));
  const emulator = await startEmulator({
    timeScale: 1000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 1000, burst: 1000 },
        tables: [
          {
            id: TABLE_ID,
            enrichment: { minDelayMs: 0, maxDelayMs: 2000, notFoundRate: 0 },
            httpApiColumn: { rateLimit: { requests: 1000, perMs: 1000 }, maxRetries: 0 },
            webhooks: [{}],
            ...options.table,
          },
        ],
      },
    ],
  });
  const port = await freePort();
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "ws",
          rateLimit: { perSecond: 500, burst: 100 },
          tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl(TABLE_ID) }] }],
          ...options.workspace,
        },
      ],
    },
    callbacks: {
      baseUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      deadline: "1m",
      retryOnce: false,
    },
    sender: { initialBackoff: "10ms", maxBackoff: "50ms", maxAttempts: 2 },
    sources: [{ name: "api" }, { name: "web" }],
    server: { port, apiKeys: [API_KEY], maxBatch: 5, bodyLimit: 4096, ...options.server },
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    routes: { default: ["out"] },
    sinks: [{ name: "out", type: "file", path: join(dir, SINK_FILE) }],
    logLevel: "silent",
    ...options.config,
  });
  const pipeline = await createStandardPipeline(config, { logger: silentLogger() });
  const { logger, lines: logs } = captureLogs("debug");
  const server = createServer({
    pipeline,
    config,
    logger,
    ...(options.dashboard && { dashboard: options.dashboard }),
  });
  const url = await server.listen();
  if (options.start ?? true) await pipeline.start();

  const request: Harness["request"] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (the metrics text): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    url,
    config,
    pipeline,
    server,
    emulator,
    logs,
    dir,
    request,
    async waitForLead(id, done = (view) => ["delivered", "dead"].includes(view.lead.state)) {
      for (;;) {
        const view = await pipeline.getLead(id);
        if (view && done(view)) return view;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    sinkRecords() {
      let text = "";
      try {
        text = readFileSync(join(dir, SINK_FILE), "utf8");
      } catch {
        return [];
      }
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async close() {
      await server.close();
      await pipeline.stop();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port that was free a moment ago: the callback URL must be known before the server listens. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Distinct valid leads: lead(3) → { email: "lead3@example.com", … }. */
export function lead(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: `lead${n}@example.com`,
    first_name: `First${n}`,
    last_name: "Tester",
    company: "Acme",
    ...extra,
  };
}
