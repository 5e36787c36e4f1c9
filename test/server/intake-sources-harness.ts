/**
 * The server over real HTTP in front of a real standard-tier pipeline (a SQLite
 * store in a temp folder), for the form, HubSpot and CRM event routes. The
 * pipeline's loops are not started: intake ends at the durable write, so leads
 * stay `queued` where the tests can read them. `submit` is wrapped only to
 * record the ids it accepted; the pipeline behind it is the real one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createServer } from "../../src/server/create-server.js";
import type { StoredLead } from "../../src/store/store.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";
import { captureLogs, type LogLine } from "../clay/log-capture.js";

const CALLBACK_SECRET = "s".repeat(40);

export interface IntakeHarness {
  url: string;
  pipeline: Pipeline;
  /** Ids of every lead the pipeline accepted, in order. */
  accepted: string[];
  logs: LogLine[];
  /** A POST: an object body is sent as JSON, a string as it is (give its content-type). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  request(method: string, path: string, headers?: Record<string, string>): Promise<Answer>;
  /** The stored leads the pipeline accepted since `from` (an index into `accepted`). */
  leadsSince(from: number): Promise<StoredLead[]>;
  /** Leads in the store, all states. */
  leadCount(): Promise<number>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server answered
  body: any;
}

/** `sources` and `server` as config input; the rest is a minimal standard-tier config. */
export async function startIntakeHarness(options: {
  sources: unknown[];
  server?: Record<string, unknown>;
}): Promise<IntakeHarness> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-intake-"));
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "ws",
          tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/unused" }] }],
        },
      ],
    },
    callbacks: { baseUrl: "https://claypipe.example.com", secret: CALLBACK_SECRET },
    sources: options.sources,
    server: { port: 0, maxBatch: 5, bodyLimit: 4096, ...options.server },
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    logLevel: "silent",
  });
  const real = await createStandardPipeline(config, { logger: silentLogger() });
  const accepted: string[] = [];
  const pipeline: Pipeline = {
    ...real,
    async submit(leads, submitOptions) {
      const result = await real.submit(leads, submitOptions);
      accepted.push(...result.accepted.map((lead) => lead.id));
      return result;
    },
  };
  const { logger, lines: logs } = captureLogs("debug");
  const server = createServer({ pipeline, config, logger });
  const url = await server.listen();

  const read = async (response: Response): Promise<Answer> => {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a redirect's empty body): keep the text.
    }
    return { status: response.status, headers: response.headers, body };
  };

  return {
    url,
    pipeline,
    accepted,
    logs,
    async post(path, body, headers = {}) {
      const json = typeof body !== "string" && !(body instanceof Uint8Array);
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: { ...(json ? { "content-type": "application/json" } : {}), ...headers },
        body: json ? JSON.stringify(body) : (body as string | Uint8Array),
      });
      return read(response);
    },
    async request(method, path, headers = {}) {
      return read(await fetch(`${url}${path}`, { method, headers, redirect: "manual" }));
    },
    async leadsSince(from) {
      const views = await Promise.all(accepted.slice(from).map((id) => real.getLead(id)));
      return views.map((view) => view!.lead);
    },
    async leadCount() {
      const { states } = await real.status();
      return Object.values(states).reduce((sum, n) => sum + n, 0);
    },
    async close() {
      await server.close();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
