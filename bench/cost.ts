/**
 * Cost: Clay enrichments and credits spent per unique person on a stream of
 * lead events where 30% repeat an earlier person (same email, sometimes in
 * other case or with stray spaces). claypipe's standard pipeline and a naive
 * pipeline that posts every event straight to its webhook run side by side in
 * one emulator, each on its own workspace and table. Neither table has Clay's
 * dedupe column, so only claypipe's own gate is measured.
 *
 *   npm run bench:cost                  # 1,000 events
 *   BENCH_LEADS=5000 npm run bench:cost
 *   BENCH_QUICK=1 npx tsx bench/cost.ts   # 300 events
 *
 * claypipe: createStandardPipeline + createServer in this process, events posted
 * one per request to POST /v1/leads, Clay's callbacks to the server, results
 * routed to a JSONL file sink; the run ends when every lead is delivered or dead.
 * naive: one fetch per event to its table's webhook, with a callback_url to a
 * bare receiver, so both tables run the HTTP API column and pay its action.
 * "one per person" is what enriching each unique person once costs, computed
 * with the emulator's own deterministic enrichment.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { systemClock } from "../src/core/clock.js";
import { freePort } from "../src/demo/free-port.js";
import { seededRandom } from "../src/demo/sample-leads.js";
import { enrich } from "../src/emulator/enrichment.js";
import { startEmulator } from "../src/emulator/index.js";
import { createServer } from "../src/server/create-server.js";
import { createStandardPipeline } from "../src/tiers/standard/create-standard-pipeline.js";
import { QUICK, recordFigure } from "./bench-figures.js";
import { costTable, startBareReceiver } from "./cost-kit.js";

const EVENTS = Number(process.env.BENCH_LEADS ?? (QUICK ? 300 : 1000));
const REPEAT_SHARE = 0.3;
const NOT_FOUND_RATE = 0.15;
const TIME_SCALE = 1000;
const RATE = { perSecond: 1000, burst: 1000 };
const TIMEOUT_MS = 180_000;
const API_KEY = randomBytes(16).toString("hex");

type Event = { email: string; first_name: string; last_name: string; company: string };

/** `count` events, exactly `share` of them repeats of an earlier person with the email respelled. */
function leadStream(count: number, share: number, seed: number): Event[] {
  const random = seededRandom(seed);
  const repeat = Array.from({ length: count }, (_, i) => i < Math.round(count * share));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [repeat[i], repeat[j]] = [repeat[j]!, repeat[i]!];
  }
  // The first event has no earlier person to repeat.
  if (repeat[0]) {
    repeat[repeat.indexOf(false)] = true;
    repeat[0] = false;
  }
  const people: Event[] = [];
  return repeat.map((isRepeat, i) => {
    if (!isRepeat) {
      const person = {
        email: `person${i}@company${i % 97}.example`,
        first_name: `First${i}`,
        last_name: `Last${i}`,
        company: `Company ${i % 97}`,
      };
      people.push(person);
      return person;
    }
    const earlier = people[Math.floor(random() * people.length)]!;
    return { ...earlier, email: respell(earlier.email, random()) };
  });
}

function respell(email: string, draw: number): string {
  if (draw < 0.25) return email;
  if (draw < 0.5) return email.toUpperCase();
  if (draw < 0.75) return ` ${email} `;
  return email.charAt(0).toUpperCase() + email.slice(1);
}

const identity = (event: Event) => event.email.trim().toLowerCase();

const events = leadStream(EVENTS, REPEAT_SHARE, 11);
const unique = new Map(events.map((event) => [identity(event), event]));
let oncePerPerson = { actions: 0, data: 0 };
for (const person of unique.values()) {
  const { cost } = enrich({ ...person }, NOT_FOUND_RATE);
  // +1 action: the HTTP API column's call, which both pipelines' rows run.
  oncePerPerson = {
    actions: oncePerPerson.actions + cost.actions + 1,
    data: oncePerPerson.data + cost.data,
  };
}

console.log(
  `cost: ${events.length} events, ${unique.size} unique people ` +
    `(${events.length - unique.size} repeats, ${((1 - unique.size / events.length) * 100).toFixed(0)}%), ` +
    `emulator at time scale ${TIME_SCALE}, ${NOT_FOUND_RATE * 100}% not found\n`,
);

const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-cost-"));
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
  routes: { default: ["results"] },
  sinks: [{ name: "results", type: "file", path: join(dir, "results.jsonl") }],
  logLevel: "silent",
});
const pipeline = await createStandardPipeline(config);
const server = createServer({ pipeline, config });

async function runClaypipe(signal: AbortSignal) {
  const url = await server.listen();
  await pipeline.start();
  let accepted = 0;
  let duplicates = 0;
  for (const event of events) {
    const response = await fetch(`${url}/v1/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(event),
      signal,
    });
    if (response.status !== 202) throw new Error(`intake answered ${response.status}`);
    const body = (await response.json()) as { accepted: Array<{ state: string }> };
    accepted += body.accepted.length;
    duplicates += body.accepted.filter((lead) => lead.state === "duplicate").length;
  }
  for (;;) {
    const status = await pipeline.status();
    if (status.states.delivered + status.states.dead >= accepted) return { accepted, duplicates };
    await systemClock.sleep(200, signal);
  }
}

async function runNaive(signal: AbortSignal) {
  let refused = 0;
  for (const event of events) {
    const response = await fetch(emulator.webhookUrl("t_naive"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...event, callback_url: receiver.url }),
      signal,
    });
    await response.arrayBuffer();
    if (!response.ok) refused++;
  }
  return { refused };
}

const started = Date.now();
try {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const [claypipe, naive] = await Promise.all([runClaypipe(signal), runNaive(signal)]);
  await emulator.control.idle();
  const seconds = (Date.now() - started) / 1000;

  const snapshot = emulator.control.snapshot();
  const status = await pipeline.status();
  const spent = Object.fromEntries(
    snapshot.workspaces.map((workspace) => {
      const clayTable = workspace.tables[0]!;
      return [
        workspace.id,
        {
          rows: clayTable.rowCount,
          enrichments: clayTable.enriched + clayTable.notFound,
          data: workspace.credits.dataUsed,
          actions: workspace.credits.actionsUsed,
          rateLimited: workspace.requests.rateLimited,
        },
      ];
    }),
  );
  const mine = spent.claypipe!;
  const theirs = spent.naive!;
  const metric = (per: (used: typeof mine) => number | string) => ({
    claypipe: per(mine),
    naive: per(theirs),
  });
  console.table({
    events: metric(() => events.length),
    "unique people": metric(() => unique.size),
    "rows sent to Clay": metric((used) => used.rows),
    "enrichments (enriched + not found)": metric((used) => used.enrichments),
    "data credits": metric((used) => used.data),
    actions: metric((used) => used.actions),
    "enrichments per unique lead": metric((used) => (used.enrichments / unique.size).toFixed(2)),
    "data credits per unique lead": metric((used) => (used.data / unique.size).toFixed(2)),
    "data credits ÷ one per person": metric((used) => (used.data / oncePerPerson.data).toFixed(2)),
    "actions ÷ one per person": metric((used) => (used.actions / oncePerPerson.actions).toFixed(2)),
    "429s": metric((used) => used.rateLimited),
  });
  console.log(
    `one enrichment per person would cost ${oncePerPerson.data} data credits and ${oncePerPerson.actions} actions`,
  );
  console.log(
    `claypipe: ${claypipe.accepted} accepted, ${claypipe.duplicates} held as duplicates at intake, ` +
      `${status.states.delivered} delivered, ${status.states.dead} dead; creditsSaved (status, at the ` +
      `configured estimate per repeat): ${status.creditsSaved.data} data, ${status.creditsSaved.actions} actions`,
  );
  console.log(
    `naive: ${naive.refused} webhook requests refused, ${receiver.received()} callbacks received`,
  );
  console.log(
    `naive / claypipe data credits: ${(theirs.data / Math.max(1, mine.data)).toFixed(2)}× ` +
      `(${seconds.toFixed(1)} s)`,
  );
  console.log(
    `goal: claypipe enrichments per unique lead = 1.00 → ${mine.enrichments === unique.size ? "met" : "NOT met"}`,
  );
  recordFigure({
    figure: "data credits per unique lead (30% repeats)",
    unit: "credits",
    claypipe: mine.data / unique.size,
    baseline: theirs.data / unique.size,
    baselineLabel: "naive: every event sent",
    goal: { of: "value", atMost: oncePerPerson.data / unique.size },
    checked: `${events.length} events, ${status.states.delivered} delivered, ${status.states.dead} dead`,
    unmet:
      mine.enrichments === unique.size
        ? undefined
        : `${mine.enrichments} enrichments for ${unique.size} people`,
  });
} finally {
  await server.close();
  await pipeline.stop();
  await emulator.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
