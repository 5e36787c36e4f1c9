/**
 * HTTP intake and callback receiver: durable acks per second and latency of
 * claypipe's server, next to a bare Fastify handler that parses the same JSON
 * and answers 202/200 without writing anything. Same connections and duration
 * for every target, one target at a time, all in one run.
 *
 *   npm run bench:intake                     # 20 s per target
 *   BENCH_SECONDS=10 npm run bench:intake
 *   BENCH_CONNECTIONS=50 BENCH_CALLBACK_LEADS=20000 npm run bench:intake
 *
 * Load: autocannon in a child process (this file, forked with "load"), so the
 * client and the server under test each have a core of their own.
 * claypipe: createServer over createStandardPipeline on a temp SQLite file
 * (WAL, synchronous = FULL), pipeline NOT started, so the numbers are the
 * durable write + ack path only. Callbacks go to leads pre-created through
 * pipeline.submit, with tokens signed by the pipeline's secret and enriched-row
 * bodies as the emulator's HTTP API column sends them.
 * After each claypipe run the store is opened again and counted: every 2xx
 * answer must have its row.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Fastify from "fastify";
import { callbackUrl, createCallbackSigner } from "../src/clay/callback-token.js";
import { type ClaypipeConfig, configSchema } from "../src/config/schema.js";
import { enrich } from "../src/emulator/enrichment.js";
import type { Pipeline } from "../src/pipeline/pipeline-api.js";
import { createServer } from "../src/server/create-server.js";
import { openSqlite } from "../src/store/sqlite/sqlite-driver.js";
import { createStandardPipeline } from "../src/tiers/standard/create-standard-pipeline.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CALLBACK_LEADS = Number(process.env.BENCH_CALLBACK_LEADS ?? 20_000);
const LOAD_ROLE = "load";
const API_KEY = randomBytes(16).toString("hex");
const GOAL = { ratio: 0.5, p99Ms: 25 };

/** What the parent asks the load child to run. */
interface LoadPlan {
  url: string;
  kind: "intake" | "callbacks";
  runId: string;
  apiKey: string;
  /** Callback requests, used round-robin. */
  callbacks: Array<{ path: string; body: string }>;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Lead ids from 202 answers of the intake. */
  ackedIds: string[];
}

const person = (email: string) => ({
  email,
  first_name: "Ada",
  last_name: "Lovelace",
  company: "Acme Analytics",
});

async function load(plan: LoadPlan): Promise<LoadResult> {
  const ackedIds: string[] = [];
  let sent = 0;
  const request: autocannon.Request =
    plan.kind === "intake"
      ? {
          method: "POST",
          path: "/v1/leads",
          headers: { "content-type": "application/json", authorization: `Bearer ${plan.apiKey}` },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify(person(`bench-${plan.runId}-${sent++}@example.com`)),
          }),
          onResponse: (status, body) => {
            if (status === 202) ackedIds.push(JSON.parse(body).accepted[0].id);
          },
        }
      : {
          method: "POST",
          headers: { "content-type": "application/json" },
          setupRequest: (req) => ({ ...req, ...plan.callbacks[sent++ % plan.callbacks.length]! }),
        };
  const result = await autocannon({
    url: plan.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [request],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    ackedIds,
  };
}

function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), [LOAD_ROLE]);
    child.once("message", (result) => resolve(result as LoadResult));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the load child exited with ${code}`)));
    child.send(plan);
  });
}

function startBare() {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 2048 } });
  let next = 0;
  app.post("/v1/leads", async (request, reply) => {
    if (typeof request.body !== "object" || request.body === null) return reply.code(400).send();
    return reply.code(202).send({ accepted: [{ index: 0, id: `bare${next++}`, state: "queued" }] });
  });
  app.post("/v1/callbacks/clay/:token", async (request, reply) => {
    if (typeof request.body !== "object" || request.body === null) return reply.code(400).send();
    return reply.code(200).send({ ok: true, outcome: "accepted" });
  });
  return app;
}

async function startClaypipe(dir: string) {
  const config: ClaypipeConfig = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "bench",
          // Never called: the pipeline is not started, nothing is sent to Clay.
          tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/not-sent" }] }],
        },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1", secret: randomBytes(32).toString("hex") },
    server: { port: 0, apiKeys: [API_KEY] },
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    logLevel: "silent",
  });
  const pipeline = await createStandardPipeline(config);
  const server = createServer({ pipeline, config });
  const url = await server.listen();
  return { config, pipeline, server, url };
}

/** Leads to call back: created through pipeline.submit, bodies as the HTTP API column posts them. */
async function callbackRequests(pipeline: Pipeline, config: ClaypipeConfig, url: string) {
  const signer = createCallbackSigner({
    secrets: [config.callbacks!.secret],
    ttlMs: config.callbacks!.ttl,
  });
  const requests: LoadPlan["callbacks"] = [];
  for (let offset = 0; offset < CALLBACK_LEADS; offset += 500) {
    const inputs = Array.from({ length: Math.min(500, CALLBACK_LEADS - offset) }, (_, i) =>
      person(`callback-${offset + i}@example.com`),
    );
    const { accepted } = await pipeline.submit(inputs);
    for (const { index, id } of accepted) {
      const fields = inputs[index]!;
      const path = new URL(callbackUrl(url, signer.sign({ leadId: id, attempt: 1 }))).pathname;
      const row = { ...fields, claypipe_id: id, callback_url: `${url}${path}` };
      const body = { ...row, ...enrich(row, 0.15).fields, clay_row_id: `r_${offset + index}` };
      requests.push({ path, body: JSON.stringify(body) });
    }
  }
  return requests;
}

function countRows(path: string, table: "leads" | "callback_inbox"): number {
  const db = openSqlite(path, { readonly: true });
  try {
    return db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
  } finally {
    db.close();
  }
}

function missingLeads(path: string, ids: readonly string[]): number {
  const db = openSqlite(path, { readonly: true });
  try {
    const stored = new Set(
      db
        .prepare<[], { id: string }>("SELECT id FROM leads")
        .all()
        .map((row) => row.id),
    );
    return ids.filter((id) => !stored.has(id)).length;
  } finally {
    db.close();
  }
}

const rowOf = (target: string, result: LoadResult) => ({
  target,
  "req/s": Math.round(result.rps),
  "p50 ms": result.p50,
  "p99 ms": result.p99,
  "2xx": result.ok,
  "non-2xx": result.non2xx,
  errors: result.errors,
});

function goalLine(name: string, bare: LoadResult, claypipe: LoadResult): string {
  const ratio = claypipe.rps / Math.max(1, bare.rps);
  const met = ratio >= GOAL.ratio && claypipe.p99 <= GOAL.p99Ms;
  return (
    `${name}: claypipe/bare throughput ${ratio.toFixed(3)}×, p99 ${claypipe.p99} ms vs ${bare.p99} ms` +
    ` → goal (≥ ${GOAL.ratio}×, p99 ≤ ${GOAL.p99Ms} ms) ${met ? "met" : "NOT met"}`
  );
}

async function main(): Promise<void> {
  console.log(
    `intake and callback receiver: ${SECONDS}s per target, ${CONNECTIONS} connections, ` +
      `${availableParallelism()} cores, Node ${process.version}`,
  );
  console.log("load: autocannon in a child process; one target at a time");
  console.log(
    "claypipe: real server + standard pipeline on a temp SQLite file (WAL, synchronous=FULL),",
  );
  console.log(
    "          pipeline NOT started: the numbers are the durable write + ack path only\n",
  );
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-intake-"));
  const bare = startBare();
  const bareUrl = await bare.listen({ host: "127.0.0.1", port: 0 });
  const runId = randomBytes(4).toString("hex");
  const checks: string[] = [];
  try {
    // Intake: one lead per request, each with a unique email.
    const bareIntake = await runLoad({
      url: bareUrl,
      kind: "intake",
      runId,
      apiKey: API_KEY,
      callbacks: [],
    });
    const intake = await startClaypipe(join(dir, "intake"));
    const claypipeIntake = await runLoad({
      url: intake.url,
      kind: "intake",
      runId,
      apiKey: API_KEY,
      callbacks: [],
    });
    await intake.server.close();
    await intake.pipeline.stop();
    const intakeDb = intake.config.store.sqlite.path;
    const leadRows = countRows(intakeDb, "leads");
    const lost = missingLeads(intakeDb, claypipeIntake.ackedIds);
    const unanswered = leadRows - claypipeIntake.ackedIds.length;
    const durable =
      lost === 0 &&
      claypipeIntake.ackedIds.length === claypipeIntake.ok &&
      unanswered >= 0 &&
      unanswered <= CONNECTIONS;
    checks.push(
      `intake: ${claypipeIntake.ackedIds.length} leads acked (of ${claypipeIntake.ok} 2xx), ` +
        `${leadRows} lead rows, ${lost} acked leads missing, ` +
        `${unanswered} written but answered after the load stopped` +
        ` → ${durable ? "durable" : "NOT durable"}`,
    );

    // Callbacks: enriched rows for leads in the store, tokens used round-robin.
    const receiver = await startClaypipe(join(dir, "callbacks"));
    const callbacks = await callbackRequests(receiver.pipeline, receiver.config, receiver.url);
    const bareCallbacks = await runLoad({
      url: bareUrl,
      kind: "callbacks",
      runId,
      apiKey: API_KEY,
      callbacks,
    });
    const claypipeCallbacks = await runLoad({
      url: receiver.url,
      kind: "callbacks",
      runId,
      apiKey: API_KEY,
      callbacks,
    });
    await receiver.server.close();
    await receiver.pipeline.stop();
    const receiverDb = receiver.config.store.sqlite.path;
    const inboxRows = countRows(receiverDb, "callback_inbox");
    const extra = inboxRows - claypipeCallbacks.ok;
    checks.push(
      `callbacks: ${claypipeCallbacks.ok} acked, ${inboxRows} inbox rows ` +
        `(${countRows(receiverDb, "leads")} leads), ${extra} written but answered after the load stopped` +
        ` → ${extra >= 0 && extra <= CONNECTIONS ? "durable" : "NOT durable"}`,
    );

    console.table([
      rowOf("intake: bare handler", bareIntake),
      rowOf("intake: claypipe POST /v1/leads", claypipeIntake),
      rowOf("callbacks: bare handler", bareCallbacks),
      rowOf("callbacks: claypipe receiver", claypipeCallbacks),
    ]);
    console.log(goalLine("intake", bareIntake, claypipeIntake));
    console.log(goalLine("callbacks", bareCallbacks, claypipeCallbacks));
    console.log(
      `callback pool: ${callbacks.length} leads; once used up, tokens repeat and each accepted ` +
        "callback is one more inbox row (the inbox is not processed)",
    );
    console.log("\ndurability (store reopened and counted after each run):");
    for (const line of checks) console.log(`  ${line}`);
  } finally {
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === LOAD_ROLE) {
  process.once("message", async (plan) => {
    const result = await load(plan as LoadPlan);
    process.send!(result, () => process.disconnect());
  });
} else {
  await main();
}
