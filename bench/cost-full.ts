/**
 * Cost, the whole year's picture: credits claypipe spends against a naive
 * pipeline on a lead stream with 30% repeats and 20% free-mail leads, and on
 * a 90-day refresh of 1,000 stored leads — side by side, per phase, in one
 * run of one emulator (each pipeline on its own workspace and table).
 *
 *   npm run bench:cost                      # this scenario runs after bench/cost.ts
 *   BENCH_STORED=5000 BENCH_EVENTS=5000 npx tsx bench/cost-full.ts
 *
 * Phase 1, 91 days ago (a shifted clock; both pipelines alike): 1,000 people
 * with work emails are enriched and stored. claypipe keeps them in its store;
 * the naive pipeline has them in its CRM.
 * Phase 2, today: 1,000 events. 20% are new people with free-mail addresses,
 * 30% repeat an earlier person (half of them someone from this stream, half
 * someone stored 91 days ago), the rest are new work-email people.
 * claypipe: its dedupe gate (30 days), `enrichIf` skipping free mail; the
 * naive pipeline posts every event to its webhook.
 * Phase 3, today: the 90-day refresh. claypipe runs its schedule
 * (`olderThan: 90d`, `where: work_email` — no second payment for people Clay
 * found nothing on), which also passes over people who came back in the
 * stream (their result is fresh); the naive pipeline re-sends all 1,000.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { type Clock, systemClock } from "../src/core/clock.js";
import { freePort } from "../src/demo/free-port.js";
import { seededRandom } from "../src/demo/sample-leads.js";
import { startEmulator } from "../src/emulator/index.js";
import type { Pipeline } from "../src/pipeline/pipeline-api.js";
import { createServer } from "../src/server/create-server.js";
import { createStandardPipeline } from "../src/tiers/standard/create-standard-pipeline.js";
import { costTable, startBareReceiver } from "./cost-kit.js";

const STORED = Number(process.env.BENCH_STORED ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const FREE_MAIL_SHARE = 0.2;
const REPEAT_SHARE = 0.3;
const NOT_FOUND_RATE = 0.15;
const TIME_SCALE = 1000;
const RATE = { perSecond: 1000, burst: 1000 };
const DAY = 86_400_000;
const TIMEOUT_MS = 300_000;
const API_KEY = randomBytes(16).toString("hex");
const FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com"];

type Person = { email: string; first_name: string; company: string };

const random = seededRandom(23);
const stored: Person[] = Array.from({ length: STORED }, (_, i) => ({
  email: `stored${i}@firm${i % 89}.example`,
  first_name: `Stored${i}`,
  company: `Firm ${i % 89}`,
}));
const streamPeople: Person[] = [];
const stream: Person[] = Array.from({ length: EVENTS }, (_, i) => {
  const draw = random();
  if (draw < FREE_MAIL_SHARE) {
    return {
      email: `free${i}@${FREE_MAIL[i % FREE_MAIL.length]}`,
      first_name: `Free${i}`,
      company: "",
    };
  }
  if (draw < FREE_MAIL_SHARE + REPEAT_SHARE && streamPeople.length > 0) {
    // Half the repeats are someone from this stream (inside the dedupe window), half someone stored.
    const pool = random() < 0.5 ? streamPeople : stored;
    return { ...pool[Math.floor(random() * pool.length)]! };
  }
  const person = {
    email: `new${i}@corp${i % 71}.example`,
    first_name: `New${i}`,
    company: `Corp ${i % 71}`,
  };
  streamPeople.push(person);
  return person;
});

/** Now, shifted: phase 1 runs 91 days in the past. */
let shift = -91 * DAY;
const shiftedClock: Clock = { now: () => Date.now() + shift, sleep: systemClock.sleep };

const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-cost-full-"));
const emulator = await startEmulator({
  timeScale: TIME_SCALE,
  workspaces: [
    { id: "claypipe", rateLimit: RATE, tables: [costTable("t_claypipe", NOT_FOUND_RATE)] },
    { id: "naive", rateLimit: RATE, tables: [costTable("t_naive", NOT_FOUND_RATE)] },
  ],
});
const receiver = await startBareReceiver();
const port = await freePort();
const config = configSchema.parse({
  tier: "standard",
  clay: {
    workspaces: [
      {
        name: "claypipe",
        rateLimit: RATE,
        tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_claypipe") }] }],
      },
    ],
  },
  callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
  sender: { concurrency: 16 },
  server: { port, apiKeys: [API_KEY] },
  store: { sqlite: { path: join(dir, "claypipe.db") } },
  enrichIf: [{ name: "work-email", when: `email_domain not in ${JSON.stringify(FREE_MAIL)}` }],
  refresh: [
    {
      name: "quarterly",
      // Run by hand below: a cron time that does not come in the run (29 February), so the
      // service does not also run the time it "missed" while the clock was 91 days back.
      schedule: "0 3 29 2 *",
      olderThan: "90d",
      where: "work_email",
      maxPerRun: 100_000,
      creditShare: 1,
    },
  ],
  routes: { default: ["results"] },
  sinks: [{ name: "results", type: "file", path: join(dir, "results.jsonl") }],
  logLevel: "silent",
});
const pipeline: Pipeline = await createStandardPipeline(config, { clock: shiftedClock });
const server = createServer({ pipeline, config });

/** What each workspace has spent so far, from the emulator's meters. */
function spent() {
  const snapshot = emulator.control.snapshot();
  return Object.fromEntries(
    snapshot.workspaces.map((workspace) => [
      workspace.id,
      {
        rows: workspace.tables[0]!.rowCount,
        actions: workspace.credits.actionsUsed,
        data: workspace.credits.dataUsed,
      },
    ]),
  ) as Record<"claypipe" | "naive", { rows: number; actions: number; data: number }>;
}

async function settle(signal: AbortSignal): Promise<void> {
  for (;;) {
    const { states } = await pipeline.status();
    const open =
      states.received +
      states.queued +
      states.sending +
      states.awaiting_callback +
      states.retrying +
      states.deferred +
      states.enriched +
      states.duplicate;
    if (open === 0) break;
    await systemClock.sleep(200, signal);
  }
  await emulator.control.idle();
}

async function postClaypipe(url: string, people: Person[], signal: AbortSignal) {
  for (let i = 0; i < people.length; i += 100) {
    const response = await fetch(`${url}/v1/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ leads: people.slice(i, i + 100) }),
      signal,
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`intake answered ${response.status}`);
  }
}

async function postNaive(people: Person[], signal: AbortSignal) {
  for (const person of people) {
    const response = await fetch(emulator.webhookUrl("t_naive"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...person, callback_url: receiver.url }),
      signal,
    });
    await response.arrayBuffer();
  }
}

const started = Date.now();
try {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const url = await server.listen();
  await pipeline.start();

  await Promise.all([postClaypipe(url, stored, signal), postNaive(stored, signal)]);
  await settle(signal);
  const afterStored = spent();

  shift = 0;
  await Promise.all([postClaypipe(url, stream, signal), postNaive(stream, signal)]);
  await settle(signal);
  const afterStream = spent();

  const plan = await pipeline.refresh.plan("quarterly");
  const refresh = await pipeline.refresh.runNow("quarterly");
  const naiveRefresh = postNaive(stored, signal);
  await Promise.all([naiveRefresh, settle(signal)]);
  const afterRefresh = spent();
  const status = await pipeline.status();

  const phase = (
    from: ReturnType<typeof spent>,
    to: ReturnType<typeof spent>,
    who: "claypipe" | "naive",
  ) => ({
    rows: to[who].rows - from[who].rows,
    actions: to[who].actions - from[who].actions,
    data: to[who].data - from[who].data,
  });
  const zero = {
    claypipe: { rows: 0, actions: 0, data: 0 },
    naive: { rows: 0, actions: 0, data: 0 },
  };
  const rows: Record<string, Record<string, string | number>> = {};
  const add = (name: string, from: ReturnType<typeof spent>, to: ReturnType<typeof spent>) => {
    const mine = phase(from, to, "claypipe");
    const theirs = phase(from, to, "naive");
    rows[name] = {
      "claypipe rows": mine.rows,
      "naive rows": theirs.rows,
      "claypipe data": mine.data,
      "naive data": theirs.data,
      "claypipe actions": mine.actions,
      "naive actions": theirs.actions,
      "naive ÷ claypipe (data)": (theirs.data / Math.max(1, mine.data)).toFixed(2),
    };
  };
  add(`stored ${STORED} (91 days ago, alike)`, zero, afterStored);
  add(`stream ${EVENTS} (30% repeats, 20% free mail)`, afterStored, afterStream);
  add(`90-day refresh of ${STORED} stored`, afterStream, afterRefresh);
  add("stream + refresh", afterStored, afterRefresh);
  console.log(
    `cost (full): ${STORED} stored leads, then ${EVENTS} events and a 90-day refresh; ` +
      `emulator at time scale ${TIME_SCALE}, ${NOT_FOUND_RATE * 100}% not found\n`,
  );
  console.table(rows);
  const freeMail = stream.filter((person) => FREE_MAIL.some((d) => person.email.endsWith(`@${d}`)));
  console.log(
    `claypipe: ${status.states.skipped} skipped by enrichIf (the stream had ${freeMail.length} free-mail events), ` +
      `credits saved by dedupe ${status.creditsSaved.data} data; ` +
      `refresh examined ${refresh.examined} stale results and sent ${refresh.refreshed} ` +
      `(${STORED - plan.examined} stored people were not stale or had no work email), ` +
      `${status.states.delivered} delivered, ${status.states.dead} dead`,
  );
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (status.states.dead > 0)
    throw new Error("claypipe lost leads to the DLQ: the figures do not hold");
} finally {
  await server.close();
  await pipeline.stop();
  await emulator.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
