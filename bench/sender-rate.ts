/**
 * Sender rate fidelity: how close claypipe's sender gets to Clay's allowed rate
 * without a single 429, next to the naive loop that posts one lead and sleeps
 * 250 ms. Both run at once, each on its own emulated workspace (10/s, burst 20).
 *
 *   npm run bench:sender                 # 60 s
 *   BENCH_SECONDS=20 npm run bench:sender
 *
 * Allowed = what Clay would accept in the window: rate × seconds + burst.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { sampleLeadRecords } from "../src/demo/sample-leads.js";
import { startEmulator } from "../src/emulator/index.js";
import { createDirectPipeline } from "../src/tiers/direct/direct-pipeline.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RATE = { perSecond: 10, burst: 20 };
const table = (id: string) => ({ id, autoRun: false, webhooks: [{}] });

const emulator = await startEmulator({
  workspaces: [
    { id: "claypipe", rateLimit: RATE, tables: [table("t_claypipe")] },
    { id: "naive", rateLimit: RATE, tables: [table("t_naive")] },
  ],
});
const stateDir = mkdtempSync(join(tmpdir(), "claypipe-bench-"));

async function runClaypipe(signal: AbortSignal): Promise<void> {
  const config = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "claypipe",
          rateLimit: RATE,
          tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_claypipe") }] }],
        },
      ],
    },
    stateDir,
    logLevel: "silent",
  });
  await createDirectPipeline(config).sendLeads(
    sampleLeadRecords({
      count: RATE.perSecond * SECONDS * 2,
      seed: 1,
      repeatShare: 0,
      badRecords: 0,
    }),
    { signal },
  );
}

async function runNaive(signal: AbortSignal): Promise<void> {
  for (let i = 0; !signal.aborted; i++) {
    await fetch(emulator.webhookUrl("t_naive"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `naive${i}@example.com` }),
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

console.log(
  `sender rate fidelity: ${SECONDS}s against the emulator at ${RATE.perSecond}/s, burst ${RATE.burst}\n`,
);
const stop = AbortSignal.timeout(SECONDS * 1000);
await Promise.all([runClaypipe(stop).catch(() => {}), runNaive(stop).catch(() => {})]);

const allowed = RATE.perSecond * SECONDS + RATE.burst;
const rows = emulator.control.snapshot().workspaces.map((workspace) => {
  const accepted = workspace.requests.accepted;
  return {
    sender: workspace.id === "claypipe" ? "claypipe sender" : "naive post+sleep 250ms",
    accepted,
    "rate /s": (accepted / SECONDS).toFixed(2),
    "achieved/allowed": (accepted / allowed).toFixed(3),
    "429s": workspace.requests.rateLimited,
  };
});
console.table(rows);
const [claypipe, naive] = rows;
console.log(
  `allowed in ${SECONDS}s: ${allowed} rows (${RATE.perSecond}/s × ${SECONDS}s + burst ${RATE.burst})`,
);
console.log(`claypipe / naive: ${(claypipe!.accepted / Math.max(1, naive!.accepted)).toFixed(2)}×`);
console.log(
  `goal: achieved/allowed ≥ 0.98 with 0 429s → ${Number(claypipe!["achieved/allowed"]) >= 0.98 && claypipe!["429s"] === 0 ? "met" : "NOT met"}`,
);

await emulator.close();
rmSync(stateDir, { recursive: true, force: true });
