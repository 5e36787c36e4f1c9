/**
 * HTTP intake and callback receiver: durable acks per second and latency of
 * claypipe's server, next to a bare Fastify handler that parses the same JSON
 * and answers 202/200 without writing anything. Same connections and duration
 * for every target, one target at a time, all in one run.
 *
 *   npm run bench:intake                     # intake once, callbacks 3 runs, 20 s per target
 *   BENCH_QUICK=1 npm run bench:intake       # callbacks only, 1 run of 4 s per target
 *   BENCH_SECONDS=10 BENCH_RUNS=5 npm run bench:intake
 *   BENCH_CONNECTIONS=50 BENCH_CALLBACK_LEADS=20000 npm run bench:intake
 *
 * Load: autocannon in a child process (this file, forked with "load"), so the
 * client and the server under test each have a core of their own.
 * claypipe: createServer over createStandardPipeline on a temp SQLite file
 * (WAL, synchronous = FULL), pipeline NOT started, so the numbers are the
 * durable write + ack path only. Callbacks go to leads pre-created through
 * pipeline.submit, with tokens signed by the pipeline's secret and enriched-row
 * bodies as the emulator's HTTP API column sends them. Each callback run is the
 * bare handler then claypipe, so a run's ratio compares the two under the same
 * load on the machine; each run is one "standard tier callbacks" figure.
 * After each claypipe target the store is opened again and counted: every 2xx
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
import { QUICK, recordFigure } from "./bench-figures.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 4 : 20));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CALLBACK_LEADS = Number(process.env.BENCH_CALLBACK_LEADS ?? (QUICK ? 5000 : 20_000));
/** Callback runs, each bare then claypipe: the goal holds in every one. */
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const LOAD_ROLE = "load";
const API_KEY = randomBytes(16).toString("hex");
/** Standard intake is printed, not a figure of the table; callbacks are. */
const INTAKE_GOAL = { ratio: 0.5, p99Ms: 25 };
const CALLBACK_GOAL = { of: "ratio", atLeast: 0.6 } as const;

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

function intakeGoalLine(bare: LoadResult, claypipe: LoadResult): string {
  const ratio = claypipe.rps / Math.max(1, bare.rps);
  const met = ratio >= INTAKE_GOAL.ratio && claypipe.p99 <= INTAKE_GOAL.p99Ms;
  return (
    `intake: claypipe/bare throughput ${ratio.toFixed(3)}×, p99 ${claypipe.p99} ms vs ${bare.p99} ms` +
    ` → goal (≥ ${INTAKE_GOAL.ratio}×, p99 ≤ ${INTAKE_GOAL.p99Ms} ms) ${met ? "met" : "NOT met"}`
  );
}

/** Standard-tier intake, one lead per request: printed beside the bare handler (full runs only). */
async function intake(dir: string, bareUrl: string, runId: string): Promise<void> {
  const plan: Omit<LoadPlan, "url"> = { kind: "intake", runId, apiKey: API_KEY, callbacks: [] };
  const bare = await runLoad({ url: bareUrl, ...plan });
  const claypipe = await startClaypipe(join(dir, "intake"));
  const measured = await runLoad({ url: claypipe.url, ...plan });
  await claypipe.server.close();
  await claypipe.pipeline.stop();
  const db = claypipe.config.store.sqlite.path;
  const leadRows = countRows(db, "leads");
  const lost = missingLeads(db, measured.ackedIds);
  const unanswered = leadRows - measured.ackedIds.length;
  const durable =
    lost === 0 &&
    measured.ackedIds.length === measured.ok &&
    unanswered >= 0 &&
    unanswered <= CONNECTIONS;
  console.table([
    rowOf("intake: bare handler", bare),
    rowOf("intake: claypipe POST /v1/leads", measured),
  ]);
  console.log(intakeGoalLine(bare, measured));
  console.log(
    `  checked: ${measured.ackedIds.length} leads acked (of ${measured.ok} 2xx), ` +
      `${leadRows} lead rows, ${lost} acked leads missing, ` +
      `${unanswered} written but answered after the load stopped → ${durable ? "durable" : "NOT durable"}\n`,
  );
  if (!durable) throw new Error("intake: an acknowledged lead is missing from the store");
}

/** Callbacks: enriched rows for leads in the store, tokens used round-robin; RUNS runs of bare then claypipe. */
async function callbacks(dir: string, bareUrl: string, runId: string): Promise<void> {
  const receiver = await startClaypipe(join(dir, "callbacks"));
  const requests = await callbackRequests(receiver.pipeline, receiver.config, receiver.url);
  const plan: Omit<LoadPlan, "url"> = {
    kind: "callbacks",
    runId,
    apiKey: API_KEY,
    callbacks: requests,
  };
  const rows: Array<ReturnType<typeof rowOf>> = [];
  const runs: Array<{ bare: LoadResult; claypipe: LoadResult }> = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const bare = await runLoad({ url: bareUrl, ...plan });
      const claypipe = await runLoad({ url: receiver.url, ...plan });
      runs.push({ bare, claypipe });
      rows.push(
        rowOf(`run ${run}: bare handler`, bare),
        rowOf(`run ${run}: claypipe receiver`, claypipe),
      );
    }
  } finally {
    await receiver.server.close();
    await receiver.pipeline.stop();
  }
  const db = receiver.config.store.sqlite.path;
  const inboxRows = countRows(db, "callback_inbox");
  const acked = runs.reduce((sum, run) => sum + run.claypipe.ok, 0);
  const refused = runs.reduce((sum, run) => sum + run.claypipe.non2xx + run.claypipe.errors, 0);
  const extra = inboxRows - acked;
  const durable = extra >= 0 && extra <= CONNECTIONS * RUNS && refused === 0;
  const checked =
    `${acked} callbacks acked in ${RUNS} run(s), ${refused} refused or failed, ${inboxRows} inbox rows ` +
    `(${countRows(db, "leads")} leads), ${extra} written but answered after a load stopped`;
  console.table(rows);
  for (const [index, run] of runs.entries()) {
    const figure = recordFigure({
      figure: "standard tier callbacks",
      unit: "req/s",
      claypipe: Math.round(run.claypipe.rps),
      baseline: Math.round(run.bare.rps),
      baselineLabel: "bare handler",
      goal: CALLBACK_GOAL,
      checked,
    });
    console.log(
      `callbacks run ${index + 1}: claypipe/bare ${figure.ratio!.toFixed(3)}×, ` +
        `p99 ${run.claypipe.p99} ms vs ${run.bare.p99} ms → goal (≥ ${CALLBACK_GOAL.atLeast}×) ${figure.met ? "met" : "NOT met"}`,
    );
  }
  console.log(
    `callback pool: ${requests.length} leads; once used up, tokens repeat and each accepted ` +
      "callback is one more inbox row (the inbox is not processed)",
  );
  console.log(
    `  checked (store reopened and counted): ${checked} → ${durable ? "durable" : "NOT durable"}`,
  );
  if (!durable)
    throw new Error("callbacks: an acknowledged callback is missing from the inbox, or one failed");
}

async function main(): Promise<void> {
  console.log(
    `intake and callback receiver: ${SECONDS}s per target, ${CONNECTIONS} connections, ` +
      `${availableParallelism()} cores, Node ${process.version}${QUICK ? " (quick: callbacks only)" : ""}`,
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
  try {
    if (!QUICK) await intake(dir, bareUrl, runId);
    await callbacks(dir, bareUrl, runId);
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
