/**
 * `claypipe demo`: the emulator and a pipeline in one process, on generated
 * leads. Sends them through the direct tier within Clay's limits, then reads
 * the enriched rows back through the public API, as a user of this tier would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicApiClient, type PublicApiRow } from "../clay/public-api-client.js";
import { configSchema } from "../config/schema.js";
import { systemClock } from "../core/clock.js";
import { startEmulator } from "../emulator/index.js";
import { createDirectPipeline } from "../tiers/direct/direct-pipeline.js";
import { readTable } from "../tiers/direct/read-table.js";
import type { SendEvent, SendSummary, SendTally } from "../tiers/direct/send-leads.js";
import { sampleLeadRecords } from "./sample-leads.js";

export interface DemoOptions {
  /** Leads to generate. @defaultValue 120 */
  leads?: number;
  /** A Clay minute takes 1/timeScale of a real minute. @defaultValue 60 */
  timeScale?: number;
  /** @defaultValue 7 */
  seed?: number;
  /** Longest wait for enrichment after the last send, in real ms. @defaultValue 60000 */
  enrichTimeoutMs?: number;
  onSendEvent?(event: SendEvent, tally: Readonly<SendTally>): void;
  onEnrichProgress?(finished: number, total: number): void;
  signal?: AbortSignal;
}

export interface DemoSummary {
  generated: number;
  send: SendSummary;
  sendSeconds: number;
  /** Rows Clay dropped as duplicates of an older row (no credits spent). */
  deduplicatedByClay: number;
  rateLimited429: number;
  enriched: number;
  notFound: number;
  stillPending: number;
  credits: { actions: number; data: number };
  totalSeconds: number;
  /** The best-scoring enriched rows, for a look at the data. */
  topRows: PublicApiRow[];
}

const WORKSPACE = "demo";
const TABLE_ID = "t_demo_leads";
const API_KEY = "demo-api-key";
// The demo reads the whole table back every half second: its emulated workspace allows more
// public API calls than Clay's (about 60 a minute), and the config uses them, so it ends promptly.
const PUBLIC_API_RATE = { perMinute: 600, burst: 20 };

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const generated = options.leads ?? 120;
  const stateDir = mkdtempSync(join(tmpdir(), "claypipe-demo-"));
  const emulator = await startEmulator({
    timeScale: options.timeScale ?? 60,
    seed: options.seed ?? 7,
    workspaces: [
      {
        id: WORKSPACE,
        apiKey: API_KEY,
        rateLimit: { perSecond: 10, burst: 20 },
        publicApiRateLimit: PUBLIC_API_RATE,
        tables: [{ id: TABLE_ID, dedupeColumn: "email", webhooks: [{}, {}] }],
      },
    ],
  });
  try {
    const config = configSchema.parse({
      tier: "direct",
      clay: {
        workspaces: [
          {
            name: WORKSPACE,
            rateLimit: { perSecond: 10, burst: 20 },
            publicApi: {
              baseUrl: emulator.publicApiBaseUrl,
              apiKey: API_KEY,
              rate: PUBLIC_API_RATE,
            },
            tables: [
              {
                name: "leads",
                id: TABLE_ID,
                webhooks: [
                  { url: emulator.webhookUrl(TABLE_ID, 0) },
                  { url: emulator.webhookUrl(TABLE_ID, 1) },
                ],
              },
            ],
          },
        ],
      },
      stateDir,
      logLevel: "silent",
    });
    const sendStarted = Date.now();
    const send = await createDirectPipeline(config).sendLeads(
      sampleLeadRecords({ count: generated, seed: options.seed ?? 7 }),
      { signal: options.signal, onEvent: options.onSendEvent },
    );
    const sendSeconds = (Date.now() - sendStarted) / 1000;

    const rows = await waitForEnrichment(
      createPublicApiClient(config.clay.workspaces[0]!.publicApi!, { clock: systemClock }),
      options,
    );
    const snapshot = emulator.control.snapshot().workspaces[0]!;
    const table = snapshot.tables[0]!;
    const enriched = rows.filter((row) => row.status === "enriched");
    return {
      generated,
      send,
      sendSeconds,
      deduplicatedByClay: table.deduplicated,
      rateLimited429: snapshot.requests.rateLimited,
      enriched: enriched.length,
      notFound: rows.filter((row) => row.status === "not_found").length,
      stillPending: rows.filter((row) => row.status === "pending").length,
      credits: { actions: snapshot.credits.actionsUsed, data: snapshot.credits.dataUsed },
      totalSeconds: (Date.now() - started) / 1000,
      topRows: enriched
        .sort((a, b) => Number(b.fields.icp_score ?? 0) - Number(a.fields.icp_score ?? 0))
        .slice(0, 5),
    };
  } finally {
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function waitForEnrichment(
  client: ReturnType<typeof createPublicApiClient>,
  options: DemoOptions,
): Promise<PublicApiRow[]> {
  const deadline = Date.now() + (options.enrichTimeoutMs ?? 60_000);
  for (;;) {
    const rows = await readTable(client, TABLE_ID, options.signal);
    const finished = rows.filter((row) => row.status !== "pending").length;
    options.onEnrichProgress?.(finished, rows.length);
    if (finished === rows.length || Date.now() >= deadline) return rows;
    await systemClock.sleep(500, options.signal);
  }
}
