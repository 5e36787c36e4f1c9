/**
 * CSV import: rows per second into the standard tier's store, and peak memory,
 * for a 1,000,000-row file — next to the lead reader alone on the same file
 * (reading and validating, no submit) in the same run.
 *
 *   npm run bench:import
 *   BENCH_ROWS=200000 BENCH_BATCH=1000 npm run bench:import
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:import    # a .cpuprofile of the import
 *
 * The file: realistic columns (a quoted "City, ST" among them), ~5% repeats of
 * an earlier lead (case changed, as spreadsheets have them) and a few bad
 * lines. Each target runs in a child process of its own, one after the other,
 * so each has a clean heap: the child samples its RSS every 100 ms and also
 * reports the kernel's maxRSS. The import goes through importLeads into a
 * pipeline on a temp SQLite file (WAL, synchronous = FULL), not started: the
 * numbers are reading + validating + dedupe + durable admit, batch by batch,
 * with a checkpoint after each batch. The store is counted afterwards.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema } from "../src/config/schema.js";
import { fileCheckpoints, importLeads } from "../src/import/index.js";
import { openLeadFile } from "../src/intake/index.js";
import { createPipeline } from "../src/pipeline/create-pipeline.js";
import { createSqliteStore } from "../src/store/sqlite/index.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const GOAL = { rowsPerSecond: 50_000, peakMb: 200 };
const MB = 1024 * 1024;

interface ChildPlan {
  role: "read" | "import";
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
  imported?: { queued: number; duplicates: number; stored: Record<string, number> };
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
    const config = configSchema.parse({
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
      store: { sqlite: { path: join(plan.dir, "claypipe.db") } },
      stateDir: join(plan.dir, "state"),
      logLevel: "silent",
    });
    const pipeline = await createPipeline(config);
    const summary = await importLeads({
      pipeline,
      file: plan.file,
      source: "csv",
      batchSize: BATCH,
      checkpoints: fileCheckpoints(join(config.stateDir, "imports")),
    });
    await pipeline.stop();
    const store = await createSqliteStore({ path: config.store.sqlite.path });
    const stored = await store.leads.countByState();
    await store.close();
    result = {
      records: summary.read,
      bad: summary.badLines,
      imported: { queued: summary.queued, duplicates: summary.duplicates, stored },
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

function runInChild(plan: ChildPlan): Promise<ChildResult> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const execArgv =
    plan.role === "import" && profileDir
      ? [...process.execArgv, "--cpu-prof", "--cpu-prof-dir", profileDir]
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-import-"));
  try {
    const file = join(dir, "leads.csv");
    const written = await writeCsv(file, ROWS);
    const size = statSync(file).size;
    console.log(
      `CSV import: ${fmt(ROWS)} rows (${fmt(size / MB)} MB, ${fmt((written.repeats / ROWS) * 100, 1)}% repeats, ${written.bad} bad lines), batch ${BATCH}; Node ${process.version}, ${availableParallelism()} cores`,
    );
    const reader = await runInChild({ role: "read", file, dir });
    const imported = await runInChild({ role: "import", file, dir });
    const rate = (result: ChildResult) => result.records / result.seconds;
    const rows: Array<[string, ChildResult]> = [
      ["reader alone (baseline)", reader],
      ["claypipe import", imported],
    ];
    console.log(
      `\n${"".padEnd(26)}${"rows/s".padStart(10)}${"time".padStart(10)}${"RSS at start".padStart(14)}${"peak RSS".padStart(10)}${"maxRSS".padStart(10)}`,
    );
    for (const [label, result] of rows) {
      console.log(
        `${label.padEnd(26)}${fmt(rate(result)).padStart(10)}${`${fmt(result.seconds, 1)} s`.padStart(10)}${`${fmt(result.startRssMb)} MB`.padStart(14)}${`${fmt(result.peakRssMb)} MB`.padStart(10)}${`${fmt(result.maxRssMb)} MB`.padStart(10)}`,
      );
    }
    console.log(
      `${"import / reader".padEnd(26)}${fmt(rate(imported) / rate(reader), 2).padStart(10)}`,
    );
    const peak = Math.max(imported.peakRssMb, imported.maxRssMb);
    const rateOk = rate(imported) >= GOAL.rowsPerSecond;
    const memoryOk = peak <= GOAL.peakMb;
    console.log(
      `\ngoal: ≥ ${fmt(GOAL.rowsPerSecond)} rows/s ${rateOk ? "met" : "MISSED"}; ≤ ${GOAL.peakMb} MB peak ${memoryOk ? "met" : "MISSED"} (${fmt(peak)} MB)`,
    );
    const counts = imported.imported!;
    const stored = Object.values(counts.stored).reduce((sum, count) => sum + count, 0);
    const complete =
      reader.records === ROWS &&
      imported.records === ROWS &&
      imported.bad === written.bad &&
      stored === ROWS - written.bad &&
      counts.stored.queued === counts.queued &&
      counts.stored.duplicate === counts.duplicates;
    console.log(
      `check: store holds ${fmt(stored)} leads (${fmt(counts.queued)} queued, ${fmt(counts.duplicates)} duplicates), ${imported.bad} bad lines reported — ${complete ? "complete" : "MISMATCH"}`,
    );
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
