/**
 * `claypipe demo` (standard, queue or event tier): the full loop in one process.
 * Generated leads come in over the intake API (web-form singles and
 * CSV-backfill batches); free-mail ones are skipped by a pre-send rule, the
 * rest go to the Clay emulator within its limits, come back through the HTTP
 * API column to the callback receiver, and are routed into file sinks. Then a
 * refresh run re-enriches the warm and hot leads, a few of whom have changed
 * jobs at Clay meanwhile: those take the job-change route. The queue tier runs an API pipeline and two workers sharing
 * PostgreSQL and Redis, as separate processes would; the event tier the same
 * with leads carried to the workers (enrichers) on NATS JetStream.
 */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openBus } from "../bus/open-bus.js";
import type { BusConfig } from "../config/bus-schema.js";
import { systemClock } from "../core/clock.js";
import type { Pipeline, PipelineStatus } from "../pipeline/pipeline-api.js";
import { createServer } from "../server/create-server.js";
import { createPipeline } from "../tiers/create-pipeline.js";
import {
  DEMO_INTAKE_KEY,
  DEMO_REFRESH_SCHEDULE,
  DEMO_REFRESH_TABLE_ID,
  demoConfig,
} from "./demo-config.js";
import { startDemoEmulator } from "./demo-emulator.js";
import { type EventDemoBus, openEventDemoBus } from "./event-demo-bus.js";
import { freePort } from "./free-port.js";
import { openQueueDemoBackends, type QueueDemoBackends } from "./queue-demo-backends.js";
import { sampleLeadInputs } from "./sample-leads.js";

/** Worker pipelines beside the API one in the queue- and event-tier demos. */
export const QUEUE_DEMO_WORKERS = 2;
/** Free-mail leads among the generated ones: the pre-send rule skips them. */
export const DEMO_FREE_MAIL = 8;
/** People the emulator moves to another company before the refresh re-enriches them. */
const JOB_CHANGES = 3;

export interface PipelineDemoOptions {
  /** @defaultValue "standard" */
  tier?: "standard" | "queue" | "event";
  /** @defaultValue 150 */
  leads?: number;
  /** @defaultValue 60 */
  timeScale?: number;
  /** @defaultValue 7 */
  seed?: number;
  /** Keep the output folder (sink files, SQLite store) instead of deleting it. */
  keep?: boolean;
  /** @defaultValue 120000 */
  timeoutMs?: number;
  onProgress?(settled: number, accepted: number, status: PipelineStatus): void;
  signal?: AbortSignal;
  /**
   * Called with the summary while the service still runs: its dashboard at
   * `access.url`, logged into with `access.key`. The demo ends when it resolves.
   */
  dashboard?(summary: PipelineDemoSummary, access: { url: string; key: string }): Promise<void>;
}

export interface PipelineDemoSummary {
  submitted: number;
  rejectedAtIntake: Array<{ lead: number; reason: string }>;
  accepted: number;
  duplicates: number;
  /** Leads the pre-send rule skipped (free mail): nothing sent, no credit. */
  skipped: number;
  /** The refresh run: leads re-enriched, and of those the ones whose company changed. */
  refresh: { refreshed: number; jobChanges: number; unchanged: number };
  sentToClay: number;
  rateLimited429: number;
  callbacks: number;
  delivered: number;
  dead: number;
  /** Records in each sink file (one route per sink in the demo). */
  sinkRecords: Record<string, number>;
  clayCredits: { actions: number; data: number };
  creditsSaved: { actions: number; data: number };
  creditsSavedByRules: { actions: number; data: number };
  /** The event tier's topics: messages each one carried in the run. */
  busTopics: Array<{ topic: string; messages: number }>;
  seconds: number;
  outputDir: string | undefined;
}

const BATCH = 50;

export async function runPipelineDemo(
  options: PipelineDemoOptions = {},
): Promise<PipelineDemoSummary> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "claypipe-demo-"));
  const emulator = await startDemoEmulator({
    timeScale: options.timeScale ?? 60,
    seed: options.seed ?? 7,
  });
  let backends: QueueDemoBackends | undefined;
  let bus: EventDemoBus | undefined;
  const pipelines: Pipeline[] = [];
  let server: ReturnType<typeof createServer> | undefined;
  try {
    if (options.tier === "queue" || options.tier === "event") {
      backends = await openQueueDemoBackends();
    }
    if (options.tier === "event" && backends) bus = await openEventDemoBus(backends.prefix);
    const config = demoConfig(emulator, dir, await freePort(), backends, bus);
    const open = async (role?: "api" | "worker") => {
      const opened = await createPipeline(config, role ? { role } : {});
      pipelines.push(opened);
      return opened;
    };
    const pipeline = await open(backends ? "api" : undefined);
    if (backends) for (let i = 0; i < QUEUE_DEMO_WORKERS; i++) await open("worker");
    server = createServer({ pipeline, config, logger: undefined });
    // The port first: no pipeline work starts unless the server can take its callbacks.
    const url = await server.listen();
    for (const opened of pipelines) await opened.start(opened === pipeline ? { opsUrl: url } : {});
    const inputs = sampleLeadInputs({
      count: options.leads ?? 150,
      seed: options.seed ?? 7,
      freeMail: DEMO_FREE_MAIL,
    });
    const intake = await submitAll(url, inputs);

    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const settle = async (expected: number) => {
      for (;;) {
        const status = await pipeline.status();
        // A skipped lead stays skipped: it is as settled as a delivered one.
        const settled = status.states.delivered + status.states.dead + status.states.skipped;
        options.onProgress?.(settled, expected, status);
        if (settled >= expected || Date.now() > deadline) return status;
        await systemClock.sleep(250, options.signal);
      }
    };
    await settle(intake.accepted);

    // A few of the people the refresh will renew change jobs at Clay meanwhile.
    const plan = await pipeline.refresh.plan(DEMO_REFRESH_SCHEDULE);
    for (const lead of plan.leads.slice(0, JOB_CHANGES))
      emulator.control.moveOnNextEnrichment(DEMO_REFRESH_TABLE_ID, lead.fields);
    const refreshed = (await pipeline.refresh.runNow(DEMO_REFRESH_SCHEDULE)).refreshed;
    const status = await settle(intake.accepted + refreshed);

    const busTopics = config.bus && bus ? await countTopics(config.bus) : [];
    const clay = emulator.control.snapshot();
    const workspace = clay.workspaces[0]!;
    const sinkRecords = Object.fromEntries(
      await Promise.all(
        config.sinks.map(async (sink) => [
          sink.name,
          "path" in sink ? await countRecords(sink.path, sink.format) : 0,
        ]),
      ),
    ) as Record<string, number>;
    const jobChanges = sinkRecords["job-changes"] ?? 0;
    const summary: PipelineDemoSummary = {
      submitted: inputs.length,
      rejectedAtIntake: intake.rejected,
      accepted: intake.accepted,
      duplicates: intake.duplicates,
      skipped: status.states.skipped,
      refresh: { refreshed, jobChanges, unchanged: refreshed - jobChanges },
      sentToClay: workspace.requests.accepted,
      rateLimited429: workspace.requests.rateLimited,
      callbacks: clay.callbacks.delivered,
      delivered: status.states.delivered,
      dead: status.states.dead,
      sinkRecords,
      clayCredits: { actions: workspace.credits.actionsUsed, data: workspace.credits.dataUsed },
      creditsSaved: status.creditsSaved,
      creditsSavedByRules: status.creditsSavedByRules,
      busTopics,
      seconds: (Date.now() - started) / 1000,
      outputDir: options.keep ? dir : undefined,
    };
    await options.dashboard?.(summary, { url: `${url}/ui`, key: DEMO_INTAKE_KEY });
    return summary;
  } finally {
    await server?.close();
    for (const pipeline of pipelines) await pipeline.stop();
    await backends?.remove();
    await bus?.remove();
    await emulator.close();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Posts leads the way a client would: CSV backfill in batches, web-form leads one by one; a 422 batch is resent without its bad leads. */
async function submitAll(url: string, inputs: Array<Record<string, string>>) {
  const result = {
    accepted: 0,
    duplicates: 0,
    skipped: 0,
    rejected: [] as Array<{ lead: number; reason: string }>,
  };
  const post = async (
    source: string,
    leads: Array<Record<string, string>>,
    offset: number,
  ): Promise<void> => {
    const response = await fetch(`${url}/v1/leads?source=${source}`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_INTAKE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ leads }),
    });
    const body = (await response.json()) as {
      accepted?: Array<{ state: string }>;
      leads?: Array<{ index: number; issues: Array<{ path: string; reason: string }> }>;
    };
    if (response.status === 202) {
      result.accepted += body.accepted?.length ?? 0;
      result.duplicates += body.accepted?.filter((lead) => lead.state === "duplicate").length ?? 0;
      result.skipped += body.accepted?.filter((lead) => lead.state === "skipped").length ?? 0;
      return;
    }
    if (response.status !== 422 || !body.leads)
      throw new Error(`intake answered ${response.status}`);
    const bad = new Set(body.leads.map((lead) => lead.index));
    for (const lead of body.leads) {
      result.rejected.push({
        lead: offset + lead.index + 1,
        reason: lead.issues.map((i) => `${i.path}: ${i.reason}`).join("; "),
      });
    }
    const good = leads.filter((_, index) => !bad.has(index));
    if (good.length > 0) await post(source, good, offset);
  };

  const backfill = inputs.slice(0, Math.floor(inputs.length * 0.8));
  for (let i = 0; i < backfill.length; i += BATCH)
    await post("csv-backfill", backfill.slice(i, i + BATCH), i);
  for (let i = backfill.length; i < inputs.length; i++) await post("web-form", [inputs[i]!], i);
  return result;
}

async function countRecords(path: string, format: "jsonl" | "csv"): Promise<number> {
  let lines = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(path) }))
      if (line.trim()) lines++;
  } catch {
    return 0;
  }
  return format === "csv" ? Math.max(0, lines - 1) : lines;
}

/**
 * What each topic carried: a consumer group that never read a topic lags by all
 * of it. The routers publish transitions a moment after they happen, so the
 * lead-events count is read once it stops growing.
 */
async function countTopics(config: BusConfig): Promise<Array<{ topic: string; messages: number }>> {
  const bus = await openBus(config);
  try {
    const count = async (topic: string) =>
      (await bus.lag(topic, "claypipe-demo-count")).reduce((sum, lag) => sum + lag.pending, 0);
    const { incoming, enriched, leadEvents, deadLetters } = config.topics;
    let events = await count(leadEvents);
    for (let settled = 0; settled < 4; ) {
      await systemClock.sleep(250);
      const now = await count(leadEvents);
      settled = now === events ? settled + 1 : 0;
      events = now;
    }
    return [
      { topic: incoming, messages: await count(incoming) },
      { topic: enriched, messages: await count(enriched) },
      { topic: leadEvents, messages: events },
      { topic: deadLetters, messages: await count(deadLetters) },
    ];
  } finally {
    await bus.close();
  }
}
