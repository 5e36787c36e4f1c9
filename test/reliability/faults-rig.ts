/**
 * The whole standard tier in one process for the fault scenarios: the Clay
 * emulator (fast time scale, raised rate limits, auto-dedupe on email, public
 * API for reconciling), a real pipeline on a temp SQLite file, the HTTP server
 * whose port is known before the config so Clay's callbacks reach it, a JSONL
 * file sink and a Standard Webhooks sink pointing at a signed receiver.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../../src/config/schema.js";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createServer } from "../../src/server/create-server.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";
import { captureLogs, type LogLine } from "../clay/log-capture.js";
import { type SignedReceiver, startSignedReceiver } from "./faults-receiver.js";

export const TABLE_ID = "t_faults";
const WORKSPACE = "ws";
const CLAY_API_KEY = "faults-public-api-key";
/** Time runs 600× here, so reconciling lost callbacks may ask Clay's public API far more often. */
const PUBLIC_API_RATE = { perMinute: 6_000, burst: 100 };
const INTAKE_KEY = randomBytes(16).toString("hex");
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
/** Leads per POST /v1/leads. */
const BATCH = 100;

export interface FaultsRigOptions {
  /** Seeds the emulator's draws (delays, which callbacks are lost or doubled). */
  seed: number;
  /** Overrides of the config's `sender` block. */
  sender?: Record<string, unknown>;
  /** Clay-time enrichment delays. @defaultValue the emulator's (20–90 s, 33–150 ms real) */
  enrichment?: { minDelayMs: number; maxDelayMs: number };
  /** How long a lead waits for its callback before reconciling. @defaultValue "2s" */
  callbackDeadline?: string;
  /** The emulated workspace's spend limit; past it rows stall and never call back. @defaultValue unlimited */
  clayCredits?: { data: number };
}

export interface FaultsRig {
  config: ClaypipeConfig;
  pipeline: Pipeline;
  emulator: RunningEmulator;
  receiver: SignedReceiver;
  /** The file sink's JSONL file. */
  filePath: string;
  /** What the pipeline logged at warn and above, for failure messages. */
  warnings: LogLine[];
  /** Posts the leads over the intake API; resolves with the accepted ids. */
  submit(leads: Array<Record<string, string>>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startFaultsRig(options: FaultsRigOptions): Promise<FaultsRig> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-faults-"));
  const emulator = await startEmulator({
    // A Clay minute in 0.1 s: enrichments take 33–150 ms, callback retries a few ms.
    timeScale: 600,
    seed: options.seed,
    workspaces: [
      {
        id: WORKSPACE,
        apiKey: CLAY_API_KEY,
        rateLimit: { perSecond: 100, burst: 100 },
        publicApiRateLimit: PUBLIC_API_RATE,
        ...(options.clayCredits ? { credits: options.clayCredits } : {}),
        tables: [
          {
            id: TABLE_ID,
            // A resent lead (retry once, crash recovery) must not be enriched twice.
            dedupeColumn: "email",
            ...(options.enrichment ? { enrichment: options.enrichment } : {}),
            httpApiColumn: { rateLimit: { requests: 500, perMs: 1000 }, timeoutMs: 5000 },
            webhooks: [{}],
          },
        ],
      },
    ],
  });
  const receiver = await startSignedReceiver(WEBHOOK_SECRET);
  const port = await freePort();
  const filePath = join(dir, "leads.jsonl");
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: WORKSPACE,
          rateLimit: { perSecond: 100, burst: 40 },
          publicApi: {
            baseUrl: emulator.publicApiBaseUrl,
            apiKey: CLAY_API_KEY,
            rate: PUBLIC_API_RATE,
          },
          tables: [
            { name: "leads", id: TABLE_ID, webhooks: [{ url: emulator.webhookUrl(TABLE_ID) }] },
          ],
        },
      ],
    },
    callbacks: {
      baseUrl: `http://127.0.0.1:${port}`,
      secret: randomBytes(32).toString("hex"),
      deadline: options.callbackDeadline ?? "2s",
      retryOnce: true,
    },
    sender: { initialBackoff: "50ms", maxBackoff: "500ms", ...options.sender },
    breaker: { failureRate: 0.5, minRequests: 5, window: "10s", openFor: "1s" },
    server: { port, apiKeys: [INTAKE_KEY] },
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    routes: { default: ["file", "hook"] },
    sinks: [
      { name: "file", type: "file", path: filePath },
      {
        name: "hook",
        type: "webhook",
        url: receiver.url,
        secret: WEBHOOK_SECRET,
        ratePerSecond: 500,
        timeout: "2s",
        maxAttempts: 30,
        initialBackoff: "100ms",
        maxBackoff: "1s",
      },
    ],
    stateDir: join(dir, "state"),
    logLevel: "silent",
  });
  const { logger, lines: warnings } = captureLogs("warn");
  const pipeline = await createStandardPipeline(config, { logger });
  const server = createServer({ pipeline, config, logger: undefined });
  const url = await server.listen();
  await pipeline.start();

  return {
    config,
    pipeline,
    emulator,
    receiver,
    filePath,
    warnings,
    async submit(leads) {
      const ids: string[] = [];
      for (let start = 0; start < leads.length; start += BATCH) {
        const response = await fetch(`${url}/v1/leads`, {
          method: "POST",
          headers: { authorization: `Bearer ${INTAKE_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ leads: leads.slice(start, start + BATCH) }),
        });
        const body = (await response.json()) as { accepted?: Array<{ id: string }> };
        if (response.status !== 202 || !body.accepted) {
          throw new Error(`intake answered ${response.status}: ${JSON.stringify(body)}`);
        }
        ids.push(...body.accepted.map((lead) => lead.id));
      }
      return ids;
    },
    async close() {
      await server.close();
      await pipeline.stop();
      await emulator.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `count` distinct people at a handful of companies, with every tenth lead a
 * repeat of an earlier one (the same email again), as real sign-up traffic has.
 */
export function faultLeads(count: number): Array<Record<string, string>> {
  const leads: Array<Record<string, string>> = [];
  for (let n = 0; n < count; n++) {
    const person = n % 10 === 9 ? n - 7 : n;
    leads.push({
      email: `person${person}@company${person % 7}.example.com`,
      first_name: `First${person}`,
      last_name: "Faults",
      company: `Company ${person % 7}`,
    });
  }
  return leads;
}
