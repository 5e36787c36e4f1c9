/**
 * CSV import: rows per second into the outbox, and peak memory, for a
 * 1,000,000-row file, into each store — SQLite (standard tier) and PostgreSQL
 * (queue tier) — next to the lead reader alone on the same file (reading and
 * validating, no submit) in the same run.
 *
 *   npm run bench:import
 *   BENCH_QUICK=1 npm run bench:import                # 200,000 rows, both stores (~40 s)
 *   BENCH_ROWS=200000 BENCH_BATCH=1000 npm run bench:import
 *   BENCH_STORES=sqlite npm run bench:import          # one store only
 *   BENCH_PG_URL=postgres://me@db:5432/scratch npm run bench:import
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:import     # a .cpuprofile per import
 *
 * The file: realistic columns (a quoted "City, ST" among them), ~5% repeats of
 * an earlier lead (case changed, as spreadsheets have them) and a few bad
 * lines. Each target runs in a child process of its own, one after the other,
 * so each has a clean heap: the child samples its RSS every 100 ms and also
 * reports the kernel's maxRSS (PostgreSQL's own memory is the server's, not
 * counted). Each import goes through importLeads and the pipeline's intake
 * (validate, dedupe key, grouped durable admit), never started, so the numbers
 * are reading + validating + dedupe + durable admit, batch by batch, with a
 * checkpoint after each batch:
 * - sqlite: createPipeline on a temp SQLite file (WAL, synchronous = FULL);
 * - postgres: the intake service over createPostgresStore in a throwaway
 *   schema (dropped afterwards) of BENCH_PG_URL (default: database `test` on
 *   127.0.0.1, as the store tests use), commits durable (synchronous_commit on).
 * The store is counted afterwards: every row must be accounted for (queued +
 * duplicates + skipped + bad lines = rows, and the store holds each admitted
 * lead) before the figures are recorded.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClaypipeConfig, configSchema } from "../src/config/schema.js";
import { openLeadFile } from "../src/intake/files/index.js";
import {
  DEFAULT_IMPORT_BATCH,
  fileCheckpoints,
  type ImportSummary,
  importLeads,
  storeIdentity,
} from "../src/intake/import/index.js";
import type { Store } from "../src/store/store.js";
import { QUICK, recordFigure } from "./bench-figures.js";

const ROWS = Number(process.env.BENCH_ROWS ?? (QUICK ? 200_000 : 1_000_000));
const BATCH = process.env.BENCH_BATCH === undefined ? undefined : Number(process.env.BENCH_BATCH);
const STORES = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",") as StoreKind[];
const PG_URL =
  process.env.BENCH_PG_URL ?? `postgres://${process.env.PGUSER || "postgres"}@127.0.0.1:5432/test`;
const GOAL = { rowsPerSecond: 50_000, peakMb: 200 };
const MB = 1024 * 1024;

type StoreKind = "sqlite" | "postgres";

interface ChildPlan {
  role: "read" | StoreKind;
  file: string;
  dir: string;
}

interface ChildResult {
  seconds: number;
  records: number;
  bad: number;
  /** RSS once the modules are loaded, before the first row. */
  startRssMb: number;
  peakRssMb: number;
  maxRssMb: number;
  /** The import's counts and what the store holds afterwards. */
  imported?: {
    queued: number;
    duplicates: number;
    skipped: number;
    stored: Record<string, number>;
  };
}

const FIRST = ["Ada", "Grace", "Linus", "Barbara", "Margaret", "Alan", "Katherine", "Dennis"];
const LAST = ["Lovelace", "Hopper", "Torvalds", "Liskov", "Hamilton", "Turing", "Johnson"];
const TITLES = ["Head of Growth", "VP Sales", "CTO", "Founder", "RevOps Manager", "SDR"];
const CITIES = ['"Portland, OR"', '"Austin, TX"', "Berlin", "London", '"Paris, FR"', "Lisbon"];

/** Writes the bench file; returns how many repeats and bad lines it holds. */
async function writeCsv(path: string, rows: number): Promise<{ repeats: number; bad: number }> {
  const out = createWriteStream(path);
  out.write("Email,First Name,Last Name,Company,Domain,Title,LinkedIn URL,Phone,City,Country\n");
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  let repeats = 0;
  let bad = 0;
  let chunk = "";
  for (let row = 0; row < rows; row++) {
    const line = row + 2;
    let n = row;
    if (row > 100 && random() < 0.05) {
      n = Math.floor(random() * row);
      repeats++;
    }
    const first = FIRST[n % FIRST.length]!;
    const last = LAST[n % LAST.length]!;
    const domain = `company${n % 20_011}.example`;
    let email = `${first}.${last}.${n}@${domain}`.toLowerCase();
    if (n !== row) email = email.toUpperCase();
    if (line % 100_003 === 0) {
      chunk += `${first} ${last} at ${domain},${first},${last}\n`;
      bad++;
      continue;
    }
    if (line % 250_007 === 0) {
      email = `${first}.${last}@`;
      bad++;
    }
    chunk += `${email},${first},${last},Company ${n % 20_011},${domain},${pick(TITLES)},https://www.linkedin.com/in/${first}-${last}-${n},+1 555 ${String(n % 10_000_000).padStart(7, "0")},${pick(CITIES)},US\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      chunk = "";
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve, reject) =>
    out.on("close", () => resolve()).on("error", reject),
  );
  return { repeats, bad };
}

/** In the child: runs one target and measures it. */
async function runChild(plan: ChildPlan): Promise<ChildResult> {
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  const started = performance.now();
  let result: Omit<ChildResult, "startRssMb" | "peakRssMb" | "maxRssMb" | "seconds">;
  if (plan.role === "read") {
    const input = await openLeadFile(plan.file);
    let records = 0;
    let bad = 0;
    for await (const record of input.records) {
      records++;
      if (!record.ok) bad++;
    }
    result = { records, bad };
  } else {
    const { summary, stored } =
      plan.role === "sqlite" ? await importToSqlite(plan) : await importToPostgres(plan);
    result = {
      records: summary.read,
      bad: summary.badLines,
      imported: {
        queued: summary.queued,
        duplicates: summary.duplicates,
        skipped: summary.skipped,
        stored,
      },
    };
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return {
    ...result,
    seconds,
    startRssMb: startRss / MB,
    peakRssMb: peak / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function benchConfig(dir: string): ClaypipeConfig {
  return configSchema.parse({
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
    sources: [{ name: "csv", priority: 40 }],
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    stateDir: join(dir, "state"),
    logLevel: "silent",
  });
}

interface ImportRun {
  summary: ImportSummary;
  stored: Record<string, number>;
}

function runImport(
  config: ClaypipeConfig,
  pipeline: Parameters<typeof importLeads>[0]["pipeline"],
  file: string,
) {
  return importLeads({
    pipeline,
    file,
    source: "csv",
    ...(BATCH === undefined ? {} : { batchSize: BATCH }),
    checkpoints: fileCheckpoints(join(config.stateDir, "imports"), storeIdentity(config)),
  });
}

// Each store's modules load in its own child only, so neither pays for the other's.

/** The standard tier: the pipeline on a temp SQLite file, as `claypipe import` builds it. */
async function importToSqlite(plan: ChildPlan): Promise<ImportRun> {
  const { createPipeline } = await import("../src/tiers/create-pipeline.js");
  const { createSqliteStore } = await import("../src/store/sqlite/index.js");
  const config = benchConfig(join(plan.dir, "sqlite"));
  const pipeline = await createPipeline(config);
  const summary = await runImport(config, pipeline, plan.file);
  await pipeline.stop();
  const store = await createSqliteStore({ path: config.store.sqlite.path });
  const stored = await store.leads.countByState();
  await store.close();
  return { summary, stored };
}

/** The queue tier's store: the intake service over PostgreSQL, in a schema of its own. */
async function importToPostgres(plan: ChildPlan): Promise<ImportRun> {
  const config = benchConfig(join(plan.dir, "postgres"));
  const schema = `claypipe_bench_import_${randomBytes(5).toString("hex")}`;
  const { createPostgresStore } = await import("../src/store/postgres/index.js");
  const store = await createPostgresStore({ connectionString: PG_URL, schema });
  try {
    const intake = await intakeOver(store, config);
    const summary = await runImport(config, intake.pipeline, plan.file);
    await intake.close();
    return { summary, stored: await store.leads.countByState() };
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

/** The pipeline's intake path around a store: validate, dedupe key, grouped admit. */
async function intakeOver(store: Store, config: ClaypipeConfig) {
  const { systemClock } = await import("../src/core/clock.js");
  const { silentLogger } = await import("../src/logging/create-logger.js");
  const { createGroupedAdmit } = await import("../src/pipeline/grouped-admit.js");
  const { createIntakeService } = await import("../src/pipeline/intake-service.js");
  const { createPipelineEvents } = await import("../src/pipeline/pipeline-context.js");
  const ctx = {
    config,
    store,
    clock: systemClock,
    logger: silentLogger(),
    events: createPipelineEvents(),
  };
  const grouped = createGroupedAdmit(store.leads, {
    clock: systemClock,
    dedupeWindowMs: config.dedupe.window,
  });
  const intake = createIntakeService(ctx, { admit: grouped.admit });
  return {
    pipeline: {
      submit: (leads: unknown, options?: { source?: string }) =>
        intake.submit(leads as unknown[], options),
    },
    close: () => grouped.close(),
  };
}

async function dropSchema(schema: string): Promise<void> {
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

function runInChild(plan: ChildPlan): Promise<ChildResult> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const execArgv =
    plan.role !== "read" && profileDir
      ? [...process.execArgv, "--cpu-prof", "--cpu-prof-dir", join(profileDir, plan.role)]
      : process.execArgv;
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["child"], { execArgv });
    child.once("message", (result) => resolve(result as ChildResult));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the ${plan.role} child exited with ${code}`)));
    child.send(plan);
  });
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const rate = (result: ChildResult) => result.records / result.seconds;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-import-"));
  try {
    const file = join(dir, "leads.csv");
    const written = await writeCsv(file, ROWS);
    const size = statSync(file).size;
    console.log(
      `CSV import: ${fmt(ROWS)} rows (${fmt(size / MB)} MB, ${fmt((written.repeats / ROWS) * 100, 1)}% repeats, ${written.bad} bad lines), batch ${BATCH ?? DEFAULT_IMPORT_BATCH}; Node ${process.version}, ${availableParallelism()} cores`,
    );
    const reader = await runInChild({ role: "read", file, dir });
    const imports: Array<[StoreKind, ChildResult]> = [];
    for (const kind of STORES) imports.push([kind, await runInChild({ role: kind, file, dir })]);

    console.log(
      `\n${"".padEnd(28)}${"rows/s".padStart(10)}${"time".padStart(10)}${"RSS at start".padStart(14)}${"peak RSS".padStart(10)}${"maxRSS".padStart(10)}`,
    );
    const rows: Array<[string, ChildResult]> = [
      ["reader alone (baseline)", reader],
      ...imports.map(([kind, result]): [string, ChildResult] => [`import into ${kind}`, result]),
    ];
    for (const [label, result] of rows) {
      console.log(
        `${label.padEnd(28)}${fmt(rate(result)).padStart(10)}${`${fmt(result.seconds, 1)} s`.padStart(10)}${`${fmt(result.startRssMb)} MB`.padStart(14)}${`${fmt(result.peakRssMb)} MB`.padStart(10)}${`${fmt(result.maxRssMb)} MB`.padStart(10)}`,
      );
    }
    for (const [kind, result] of imports) {
      console.log(
        `${`${kind} / reader`.padEnd(28)}${fmt(rate(result) / rate(reader), 2).padStart(10)}`,
      );
    }
    console.log("");
    let complete = reader.records === ROWS;
    for (const [kind, result] of imports) {
      const peak = Math.max(result.peakRssMb, result.maxRssMb);
      const counts = result.imported!;
      const stored = Object.values(counts.stored).reduce((sum, count) => sum + count, 0);
      const accounted = counts.queued + counts.duplicates + counts.skipped + result.bad;
      const whole =
        result.records === ROWS &&
        accounted === ROWS &&
        result.bad === written.bad &&
        stored === ROWS - written.bad &&
        (counts.stored.queued ?? 0) === counts.queued &&
        (counts.stored.duplicate ?? 0) === counts.duplicates;
      console.log(
        `${kind}: store holds ${fmt(stored)} leads (${fmt(counts.queued)} queued, ${fmt(counts.duplicates)} duplicates, ${fmt(counts.skipped)} skipped), ${result.bad} bad lines reported — ${whole ? "complete" : "MISMATCH"}`,
      );
      complete &&= whole;
      if (!whole) continue;
      const name = kind === "sqlite" ? "SQLite" : "PostgreSQL";
      const checked = `${fmt(ROWS)} rows: ${fmt(counts.queued)} queued + ${fmt(counts.duplicates)} duplicates + ${fmt(counts.skipped)} skipped + ${result.bad} bad = rows, all stored`;
      const speed = recordFigure({
        figure: `CSV import, ${name}`,
        unit: "rows/s",
        claypipe: Math.round(rate(result)),
        baseline: Math.round(rate(reader)),
        baselineLabel: "the lead reader alone (read + validate, no submit)",
        goal: { of: "value", atLeast: GOAL.rowsPerSecond },
        checked,
      });
      const memory = recordFigure({
        figure: `CSV import peak RSS, ${name}`,
        unit: "MB",
        claypipe: Math.round(peak),
        baseline: Math.round(Math.max(reader.peakRssMb, reader.maxRssMb)),
        baselineLabel: "the lead reader alone",
        goal: { of: "value", atMost: GOAL.peakMb },
        checked,
      });
      console.log(
        `${kind}: goal ≥ ${fmt(GOAL.rowsPerSecond)} rows/s ${speed.met ? "met" : "MISSED"}; ≤ ${GOAL.peakMb} MB peak ${memory.met ? "met" : "MISSED"} (${fmt(peak)} MB)`,
      );
    }
    if (!complete) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "child") {
  process.once("message", async (plan: ChildPlan) => {
    process.send!(await runChild(plan), () => process.exit(0));
  });
} else {
  await main();
}
