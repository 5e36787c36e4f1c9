/**
 * The queue tier as production runs it, for the reliability tests: an API
 * process and worker processes (`claypipe start --role …`) on a PostgreSQL
 * schema and a Redis key prefix of the test's own, the Clay emulator in the
 * test process, and a PostgreSQL sink. Secrets reach the processes as ${VAR}
 * references through their environment. The test reads the store itself, and
 * can cut the services' PostgreSQL connections from the server side (they
 * carry an application_name of their own).
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/demo/free-port.js";
import { enrich } from "../../src/emulator/enrichment.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import type { Store } from "../../src/store/store.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../bus/fixtures/nats-server.js";
import {
  connectRedis,
  deleteKeys,
  REDIS_URL,
  uniquePrefix,
} from "../clay/fixtures/redis-server.js";
import { type CliResult, runCli } from "../cli/run-cli.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import {
  type ClaypipeProcess,
  killHard,
  type ServiceProcess,
  startRole,
  startService,
  startWorker,
  stopGracefully,
} from "./service-harness.js";

export const TABLE_ID = "t_queue";
/** Leads per POST /v1/leads. */
const BATCH = 100;
/** The emulator's share of rows nothing is found for (they cost less, and still call back). */
const NOT_FOUND_RATE = 0.15;

export interface QueueServicesOptions {
  /** The workspace's rate at Clay and in the config. */
  rateLimit: { perSecond: number; burst: number };
  /** sender.concurrency: the jobs each worker holds at once. @defaultValue 8 */
  concurrency?: number;
  /**
   * Settings of the config's `queue` block besides redis and prefix, e.g. { sendLease: "5s" }.
   * lockDuration is "2s" unless given: a stopped worker's jobs and deliveries go to another within seconds.
   */
  queue?: Record<string, string | number>;
  /** Redis for the queues, the rate limit and the breaker. @defaultValue the shared one */
  redisUrl?: string;
  /** A daily data-credit cap for the workspace. @defaultValue none */
  dataCap?: number;
  /** Real milliseconds Clay takes to answer each webhook request: sends stay in flight this long. */
  webhookLatencyMs?: number;
  /** Run the event tier instead: leads carried on the machine's NATS JetStream, under topics of the test's own. */
  eventTier?: boolean;
  /** Event tier: intake and receiver as two processes on ports of their own, instead of one `api`. */
  splitHttpRoles?: boolean;
  /** The event tier's NATS server (a test's own, to stop and start). @defaultValue the machine's, NATS_URL */
  natsUrl?: string;
}

/** What Clay saw, per unique lead. */
export interface ClayFigures {
  /** Rows Clay created: one per send that reached it. */
  rows: number;
  uniqueLeads: number;
  /** Rows beyond the first for a lead: sends made twice. */
  duplicateRows: number;
  /** The leads Clay got more than once. */
  duplicatedLeads: string[];
  dataCredits: number;
  /** Data credits the duplicate rows cost. */
  duplicateDataCredits: number;
  rateLimited: number;
}

export interface QueueServices {
  emulator: RunningEmulator;
  /** The test's own view of the store (its connections are never cut). */
  store: Store;
  /** The process intake posts reach: `api`, or `intake` with splitHttpRoles. */
  api: ServiceProcess;
  /** With splitHttpRoles: the `receiver` process, Clay's callbacks' address. */
  receiver: ServiceProcess | undefined;
  workers: ClaypipeProcess[];
  startWorker(): Promise<ClaypipeProcess>;
  /** Starts a process of a role without HTTP (event tier: enricher, router); counted among `workers`. */
  startRole(role: "enricher" | "router" | "worker"): Promise<ClaypipeProcess>;
  /** Starts an HTTP process again, on its port, after it was killed: it takes `api`'s or `receiver`'s place. */
  restartHttp(which: "api" | "receiver"): Promise<ServiceProcess>;
  /** Posts `count` new leads to the API process; resolves with their ids. */
  submit(count: number, tag: string): Promise<string[]>;
  /** Polls the store until every lead of the schema is delivered or dead, and `expected` of them exist. */
  waitForSettled(expected: number, timeoutMs: number): Promise<void>;
  /**
   * claypipe_ids in the sink, one per row. Several workers deliver, so the sink
   * is PostgreSQL (an upsert per person), as docs/sinks.md advises: a file sink is
   * one process's, and a worker killed between its append and its bookkeeping
   * leaves a record another worker appends again.
   */
  sinkIds(): Promise<string[]>;
  clayFigures(): ClayFigures;
  /** Ends every PostgreSQL connection of the services from the server side; resolves with how many. */
  cutDatabaseConnections(): Promise<number>;
  /** The leads' histories and their rows at Clay, for a failure message. */
  describeLeads(ids: string[]): Promise<string>;
  /** What the services logged, for a failure message. */
  logs(): string;
  /** The event tier's dead-letter topic (`bus.topics.deadLetters`). */
  deadLetterTopic: string;
  /** Rewrites the config's daily data cap (with `dataCap` set); processes started from now on read it. */
  setDataCap(cap: number): void;
  /** Runs `claypipe <args> --config <the services' config>` with their environment. */
  cli(args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startQueueServices(options: QueueServicesOptions): Promise<QueueServices> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-queue-rel-"));
  const schema = randomSchema("qrel");
  const prefix = uniquePrefix("qrel").replaceAll(":", "-");
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const { rateLimit } = options;
  const emulator = await startEmulator({
    timeScale: 1000,
    workspaces: [
      {
        id: "ws",
        rateLimit,
        tables: [
          {
            id: TABLE_ID,
            enrichment: { notFoundRate: NOT_FOUND_RATE },
            // Fast and patient, as a user sets the HTTP API column up for this volume.
            httpApiColumn: { rateLimit: { requests: 1000, perMs: 1000 }, maxRetries: 12 },
            webhooks: [{}],
          },
        ],
      },
    ],
  });
  if (options.webhookLatencyMs)
    emulator.control.setFaults({ webhookLatencyMs: options.webhookLatencyMs });
  const port = await freePort();
  const callbackPort = options.splitHttpRoles ? await freePort() : port;
  // The sink's table, in the public schema beside the store's own schema.
  const sinkTable = `${schema}_sink`;
  const env = {
    // The services' connections carry the schema's name, so a test can cut only theirs.
    CLAYPIPE_PG_URL: `${DATABASE_URL}?application_name=${schema}`,
    CLAYPIPE_REDIS_URL: redisUrl,
    CLAYPIPE_CB_SECRET: randomBytes(32).toString("hex"),
    CLAYPIPE_INTAKE_KEY: randomBytes(16).toString("hex"),
    // Each HTTP process listens on its own (intake and receiver apart); the rest never listen.
    CLAYPIPE_PORT: String(port),
  };
  const queueSettings = Object.entries({ lockDuration: "2s", ...options.queue })
    .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)
    .join("\n");
  const configPath = join(dir, "claypipe.config.yaml");
  const topicPrefix = uniqueTopicPrefix("qrel");
  const natsUrl = options.natsUrl ?? NATS_URL;
  const bus = options.eventTier
    ? `bus:
  nats: { servers: "${natsUrl}", ackWait: 5s }
  topics: { incoming: ${topicPrefix}.incoming, deadLetters: ${topicPrefix}.dlq, enriched: ${topicPrefix}.enriched, leadEvents: ${topicPrefix}.events }
`
    : "";
  writeFileSync(
    configPath,
    `tier: ${options.eventTier ? "event" : "queue"}
${bus}clay:
  workspaces:
    - name: ws
      rateLimit: { perSecond: ${rateLimit.perSecond}, burst: ${rateLimit.burst} }
      credits: ${options.dataCap ? `{ daily: { data: ${options.dataCap} } }` : "{}"}
      tables:
        - name: leads
          webhooks:
            - url: ${emulator.webhookUrl(TABLE_ID)}
sender: { concurrency: ${options.concurrency ?? 8} }
callbacks:
  baseUrl: http://127.0.0.1:${callbackPort}
  secret: \${CLAYPIPE_CB_SECRET}
server: { port: "\${CLAYPIPE_PORT}", apiKeys: [ "\${CLAYPIPE_INTAKE_KEY}" ], maxBatch: ${BATCH} }
store:
  postgres: { connectionString: "\${CLAYPIPE_PG_URL}", schema: ${schema}, poolSize: 4 }
queue:
  redis: { connectionString: "\${CLAYPIPE_REDIS_URL}" }
  prefix: ${prefix}
${queueSettings}
routes: { default: [out] }
sinks:
  - { name: out, type: postgres, connectionString: "\${CLAYPIPE_PG_URL}", table: ${sinkTable} }
logLevel: warn
`,
  );

  const startHttp = (role: "api" | "intake" | "receiver", on: number) =>
    startService(configPath, dir, { ...env, CLAYPIPE_PORT: String(on) }, role);
  let api = await startHttp(options.splitHttpRoles ? "intake" : "api", port);
  let receiver = options.splitHttpRoles ? await startHttp("receiver", callbackPort) : undefined;
  const workers: ClaypipeProcess[] = [];
  const store = await createPostgresStore({
    connectionString: `${DATABASE_URL}?application_name=claypipe_test_reader`,
    schema,
    poolSize: 2,
  });
  const services = () => [api, ...(receiver ? [receiver] : []), ...workers];

  const describeLeads = async (ids: string[]): Promise<string> => {
    const rows = emulator.control.rows(TABLE_ID);
    const lines = await Promise.all(
      ids.map(async (id) => {
        const lead = await store.leads.get(id);
        const history = (await store.leads.history(id))
          .map((event) => `${event.at % 100_000} ${event.to}(${event.reason ?? ""})`)
          .join(" → ");
        const inClay = rows
          .filter((row) => row.fields.claypipe_id === id)
          .map((row) => `${Date.parse(row.createdAt) % 100_000} ${row.status}`);
        const deliveries = (await store.deliveries.forLead(id))
          .map((delivery) => `${delivery.sink} ${delivery.state} ×${delivery.attempts}`)
          .join(", ");
        return `${id} ${lead?.state} availableAt ${(lead?.availableAt ?? 0) % 100_000}: ${history}; Clay rows: ${inClay.join(", ") || "none"}; deliveries: ${deliveries || "none"}`;
      }),
    );
    return lines.join("\n");
  };
  const describeOpen = async (): Promise<string> => {
    const { leads } = await store.leads.list({
      states: ["received", "queued", "sending", "retrying", "awaiting_callback", "enriched"],
      limit: 3,
    });
    return `now ${Date.now() % 100_000}\n${await describeLeads(leads.map((lead) => lead.id))}`;
  };

  return {
    emulator,
    store,
    get api() {
      return api;
    },
    get receiver() {
      return receiver;
    },
    workers,
    async startWorker() {
      const worker = await startWorker(configPath, dir, env);
      workers.push(worker);
      return worker;
    },
    async startRole(role) {
      const worker = await startRole(configPath, dir, env, role);
      workers.push(worker);
      return worker;
    },
    async restartHttp(which) {
      if (which === "receiver") {
        receiver = await startHttp("receiver", callbackPort);
        return receiver;
      }
      api = await startHttp(options.splitHttpRoles ? "intake" : "api", port);
      return api;
    },
    async submit(count, tag) {
      const ids: string[] = [];
      for (let start = 0; start < count; start += BATCH) {
        const leads = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => ({
          email: `${tag}${start + i}@queue-reliability.example`,
          company: `Company ${(start + i) % 37}`,
        }));
        const response = await fetch(`${api.url}/v1/leads`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${env.CLAYPIPE_INTAKE_KEY}`,
            "content-type": "application/json",
          },
          body: JSON.stringify(leads),
        });
        if (response.status !== 202)
          throw new Error(`intake answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { accepted: Array<{ id: string }> };
        ids.push(...body.accepted.map((lead) => lead.id));
      }
      return ids;
    },
    async waitForSettled(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await store.leads.countByState();
        const total = Object.values(states).reduce((sum, n) => sum + n, 0);
        if (total >= expected && states.delivered + states.dead === total) return;
        if (Date.now() > deadline) {
          throw new Error(
            `leads not settled after ${timeoutMs} ms: ${JSON.stringify(states)}\n${await describeOpen()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async sinkIds() {
      const admin = await connectAdmin();
      try {
        const { rows } = await admin.query<{ claypipe_id: string }>(
          `SELECT claypipe_id FROM "${sinkTable}"`,
        );
        return rows.map((row) => row.claypipe_id);
      } catch {
        return [];
      } finally {
        await admin.end();
      }
    },
    clayFigures() {
      const rows = emulator.control.rows(TABLE_ID);
      const seen = new Set<string>();
      const duplicated = new Set<string>();
      let duplicateDataCredits = 0;
      for (const row of rows) {
        const id = String(row.fields.claypipe_id);
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        duplicated.add(id);
        // Clay's cost is a function of the row's input, so a second row costs what the first did.
        duplicateDataCredits += enrich(row.fields, NOT_FOUND_RATE).cost.data;
      }
      const workspace = emulator.control.snapshot().workspaces[0]!;
      return {
        rows: rows.length,
        uniqueLeads: seen.size,
        duplicateRows: rows.length - seen.size,
        duplicatedLeads: [...duplicated],
        dataCredits: workspace.credits.dataUsed,
        duplicateDataCredits,
        rateLimited: workspace.requests.rateLimited,
      };
    },
    async cutDatabaseConnections() {
      const admin = await connectAdmin();
      try {
        const { rows } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [schema],
        );
        return rows.length;
      } finally {
        await admin.end();
      }
    },
    describeLeads,
    deadLetterTopic: `${topicPrefix}.dlq`,
    setDataCap(cap) {
      const text = readFileSync(configPath, "utf8");
      const capped = text.replace(/daily: \{ data: \d+ \}/, `daily: { data: ${cap} }`);
      if (capped === text) throw new Error("the config has no daily data cap to change");
      writeFileSync(configPath, capped);
    },
    cli: (args) => runCli([...args, "--config", configPath], { cwd: dir, env }),
    logs: () =>
      services()
        .map((service) => service.stderr())
        .join("\n"),
    async close() {
      await Promise.all(services().map((service) => stopOrKill(service)));
      await emulator.close();
      await store.close();
      const admin = await connectAdmin();
      await dropSchema(admin, schema);
      await admin.query(`DROP TABLE IF EXISTS "${sinkTable}"`);
      await admin.end();
      if (redisUrl === REDIS_URL) {
        const redis = await connectRedis();
        await deleteKeys(redis, prefix);
        redis.disconnect();
      }
      if (options.eventTier) await deleteStreams(natsUrl, topicPrefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, and kill -9 if it has not stopped within its shutdown grace and a margin. */
async function stopOrKill(service: ClaypipeProcess): Promise<void> {
  const timer = setTimeout(() => void killHard(service), 15_000);
  await stopGracefully(service);
  clearTimeout(timer);
}
