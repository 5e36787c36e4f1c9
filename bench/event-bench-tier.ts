/**
 * One tier under test for bench:event, as production runs it: `claypipe start
 * --role api` (intake, Clay's callbacks, feeding) and N `--role worker`
 * processes (enrichers on the event tier), on a PostgreSQL schema, Redis
 * prefix and topic prefix of its own, with a workspace of its own at the
 * shared emulator and a PostgreSQL sink whose rows say when each lead arrived,
 * and a read-only view of the store for the leads' histories.
 * `close()` stops the processes and removes all of it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../src/demo/free-port.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { createPostgresStore } from "../src/store/postgres/index.js";
import type { Store } from "../src/store/store.js";
import { deleteStreams, uniqueTopicPrefix } from "../test/bus/fixtures/nats-server.js";
import { type BenchBus, queueBenchConfig } from "./queue-bench-config.js";
import {
  type BenchServices,
  DATABASE_URL,
  openBenchServices,
  withTimeout,
} from "./queue-bench-services.js";
import { startQueueServices } from "./queue-service-processes.js";

export interface BenchTierPlan {
  /** The emulated workspace's id (lowercase letters and digits): names the schema, table and leads too. */
  workspace: string;
  /** The event tier on this broker; the queue tier when undefined. */
  broker: BenchBus["broker"] | undefined;
  /** Enrichers (event tier) or workers (queue tier). */
  workers: number;
  rateLimit: { perSecond: number; burst: number };
  /** Real milliseconds the emulator takes to enrich each row. */
  enrichmentDelayMs: number;
  /** queue.lookahead. @defaultValue the config default */
  lookahead?: number;
}

export interface BenchTier {
  services: BenchServices;
  /** The tier's store, for reading leads and their histories. */
  store: Store;
  /** The emulated table the workspace sends to. */
  tableId: string;
  /** POSTs leads to the API process in one request; resolves with their ids; throws unless it answers 202. */
  post(leads: Array<Record<string, string>>): Promise<string[]>;
  /** Polls the outbox until `total` leads are delivered or dead. */
  waitForSettled(total: number, timeoutMs: number): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startBenchTier(
  emulator: RunningEmulator,
  timeScale: number,
  plan: BenchTierPlan,
): Promise<BenchTier> {
  const { workspace, broker, rateLimit } = plan;
  const tableId = `t_${workspace}`;
  emulator.control.addWorkspace({
    id: workspace,
    rateLimit,
    tables: [
      {
        id: tableId,
        // One delay for every row, so it can be taken out of each lead's latency exactly.
        enrichment: {
          minDelayMs: plan.enrichmentDelayMs * timeScale,
          maxDelayMs: plan.enrichmentDelayMs * timeScale,
        },
        httpApiColumn: { rateLimit: { requests: 10_000, perMs: 1000 } },
        webhooks: [{}],
      },
    ],
  });
  const services = await openBenchServices(workspace);
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-event-"));
  const topicPrefix = uniqueTopicPrefix(`bench-${workspace}`);
  const cleanup = async () => {
    await services.cleanup();
    if (broker && "nats" in broker) await deleteStreams(broker.nats, topicPrefix);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const config = queueBenchConfig({
      services,
      workspace,
      rateLimit,
      webhookUrl: emulator.webhookUrl(tableId),
      port,
      sink: { postgresTable: services.sinkTable },
      stateDir: join(dir, "state"),
      ...(plan.lookahead !== undefined && { lookahead: plan.lookahead }),
      ...(broker && { bus: { broker, topicPrefix } }),
    });
    const configPath = join(dir, "claypipe.config.yaml");
    writeFileSync(configPath, config.text);
    if (broker && "kafka" in broker) createMockTopics(broker.kafka, topicPrefix);
    const running = await startQueueServices(configPath, config.env, plan.workers);
    // Opened after the API process made the schema.
    const store = await createPostgresStore({
      connectionString: DATABASE_URL,
      schema: services.schema,
      poolSize: 2,
    });
    return {
      services,
      store,
      tableId,
      async post(leads) {
        const answer = await fetch(`http://127.0.0.1:${port}/v1/leads`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` },
          body: JSON.stringify(leads.length === 1 ? leads[0] : leads),
        });
        if (answer.status !== 202)
          throw new Error(`intake answered ${answer.status}: ${await answer.text()}`);
        const body = (await answer.json()) as { accepted: Array<{ id: string }> };
        return body.accepted.map((lead) => lead.id);
      },
      waitForSettled(total, timeoutMs) {
        const settled = async () => {
          for (;;) {
            const states = await services.leadStates();
            if ((states.delivered ?? 0) + (states.dead ?? 0) >= total) return states;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        };
        return withTimeout(settled(), timeoutMs, `settling ${total} leads of ${workspace}`);
      },
      async close() {
        await running.stop();
        await store.close();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * librdkafka's mock cluster has no CreateTopics, and a config cannot tell the
 * Kafka bus that topics appear on first use: a metadata request for each topic
 * (kcat -L -t) makes the mock create it first.
 */
function createMockTopics(brokers: string[], topicPrefix: string): void {
  for (const name of ["incoming", "dlq", "enriched", "events"]) {
    const topic = `${topicPrefix}.${name}`;
    const listed = spawnSync("kcat", ["-b", brokers.join(","), "-L", "-t", topic], {
      timeout: 10_000,
    });
    if (listed.status !== 0) {
      throw new Error(`kcat could not create ${topic} on the mock cluster: ${listed.stderr}`);
    }
  }
}
