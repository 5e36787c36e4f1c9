/**
 * kill -9 the service at random moments during a 2,000-lead run, several
 * times, and restart it: every accepted lead ends delivered, no sink record is
 * written twice, and credits never pass the cap.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { seededRandom } from "../../src/demo/sample-leads.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { killHard, type ServiceProcess, startService, stopGracefully } from "./service-harness.js";

const LEADS = Number(process.env.KILL_TEST_LEADS ?? 2000);
const BATCH = 50;
const KILLS = 4;
const DATA_CAP = 25_000;

let emulator: RunningEmulator | undefined;
afterAll(async () => {
  await emulator?.close();
  removeTempDirs();
});

/** Where the unsettled leads are and what Clay says of them, for a failure message. */
async function describeStuck(path: string, clay: RunningEmulator): Promise<string> {
  const store = await createSqliteStore({ path });
  try {
    const { leads } = await store.leads.list({
      states: ["awaiting_callback", "enriched", "retrying"],
      limit: 3,
    });
    const rows = clay.control.rows("t_leads");
    const lines = await Promise.all(
      leads.map(async (lead) => {
        const history = (await store.leads.history(lead.id))
          .map((e) => `${e.to}(${e.reason ?? ""})`)
          .join(" → ");
        const inClay = rows
          .filter((row) => row.fields.claypipe_id === lead.id)
          .map((row) => row.status);
        return `${lead.id} attempt ${lead.attempt} deadline ${lead.callbackDeadline}: ${history}; Clay rows: ${inClay.join(",") || "none"}`;
      }),
    );
    return [`now ${Date.now()}`, ...lines].join("\n");
  } finally {
    await store.close();
  }
}

describe("kill -9 during a 2,000-lead run", () => {
  it("loses nothing, writes no sink record twice, and stays under the credit cap", async () => {
    emulator = await startEmulator({
      timeScale: 600,
      seed: 3,
      workspaces: [
        {
          id: "main",
          apiKey: "emulator-key",
          rateLimit: { perSecond: 300, burst: 100 },
          // Time runs 600× here: reconciling may ask the public API far more often than Clay allows.
          publicApiRateLimit: { perMinute: 6_000, burst: 100 },
          // Clay's own dedupe on claypipe_id makes a resend after a crash cost nothing.
          tables: [
            {
              id: "t_leads",
              dedupeColumn: "claypipe_id",
              // The HTTP API column as a user sets it up for this volume: a fast
              // rate, and retries that outlast a restart.
              httpApiColumn: { rateLimit: { requests: 400, perMs: 1000 }, maxRetries: 12 },
              webhooks: [{}],
            },
          ],
        },
      ],
    });
    const dir = makeTempDir("kill");
    const port = await freePort();
    const env = {
      CLAY_API_KEY: "emulator-key",
      CB_SECRET: randomBytes(32).toString("hex"),
      INTAKE_KEY: randomBytes(16).toString("hex"),
    };
    const configPath = join(dir, "claypipe.config.yaml");
    writeFileSync(
      configPath,
      `tier: standard
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 300, burst: 100 }
      credits: { daily: { data: ${DATA_CAP} } }
      publicApi: { baseUrl: ${emulator.publicApiBaseUrl}, apiKey: "\${CLAY_API_KEY}", rate: { perMinute: 6000, burst: 100 } }
      tables:
        - name: leads
          id: t_leads
          webhooks:
            - url: ${emulator.webhookUrl("t_leads")}
sender: { concurrency: 16 }
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: \${CB_SECRET}
  deadline: 3s
server: { port: ${port}, apiKeys: [ "\${INTAKE_KEY}" ], maxBatch: ${BATCH} }
store: { sqlite: { path: ${join(dir, "claypipe.db")} } }
routes:
  rules:
    - { name: hot, when: "icp_score >= 80", to: [hot] }
  default: [rest]
sinks:
  - { name: hot, type: file, path: ${join(dir, "hot.jsonl")} }
  - { name: rest, type: file, path: ${join(dir, "rest.jsonl")} }
logLevel: warn
`,
    );

    let service: ServiceProcess = await startService(configPath, dir, env);
    // A new seed each run explores new kill moments; a failure names it to replay.
    const seed = Number(process.env.KILL_TEST_SEED ?? Date.now() % 1_000_000);
    console.log(`kill moments seed: ${seed} (KILL_TEST_SEED=${seed} replays them)`);
    const random = seededRandom(seed);
    const accepted = new Set<string>();

    const submitAll = async () => {
      for (let start = 0; start < LEADS; start += BATCH) {
        const leads = Array.from({ length: BATCH }, (_, i) => ({
          email: `person${start + i}@kill-test.example`,
        }));
        for (;;) {
          try {
            const response = await fetch(`${service.url}/v1/leads`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${env.INTAKE_KEY}`,
                "content-type": "application/json",
              },
              body: JSON.stringify(leads),
            });
            if (response.status === 202) {
              const body = (await response.json()) as { accepted: Array<{ id: string }> };
              for (const lead of body.accepted) accepted.add(lead.id);
              break;
            }
          } catch {
            // The service is down (we killed it): retry as any client would.
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const killAndRestart = async () => {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 400 + random() * 1600));
        await killHard(service);
        service = await startService(configPath, dir, env);
      }
    };
    await Promise.all([submitAll(), killAndRestart()]);

    // Every accepted lead must settle after the last restart.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await fetch(`${service.url}/v1/status`, {
        headers: { authorization: `Bearer ${env.INTAKE_KEY}` },
      });
      const status = (await response.json()) as { states: Record<string, number> };
      const total = Object.values(status.states).reduce((sum, n) => sum + n, 0);
      if (status.states.delivered! + status.states.dead! === total) break;
      if (Date.now() > deadline) {
        await stopGracefully(service);
        throw new Error(
          `not settled: ${JSON.stringify(status.states)}\n${await describeStuck(join(dir, "claypipe.db"), emulator)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await stopGracefully(service)).toBe(0);

    const store = await createSqliteStore({ path: join(dir, "claypipe.db") });
    try {
      expect(accepted.size).toBeGreaterThanOrEqual(LEADS);
      const missing: string[] = [];
      const notDelivered: string[] = [];
      for (const id of accepted) {
        const lead = await store.leads.get(id);
        if (!lead) missing.push(id);
        else if (lead.state !== "delivered")
          notDelivered.push(`${id}: ${lead.state} ${lead.reason}`);
      }
      expect(missing).toEqual([]);
      expect(notDelivered).toEqual([]);

      const records = ["hot.jsonl", "rest.jsonl"].flatMap((file) =>
        readFileSync(join(dir, file), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { claypipe_id: string }).claypipe_id),
      );
      expect(records.length).toBe(new Set(records).size);
      for (const id of accepted) expect(records).toContain(id);

      const day = `day:${new Date().toISOString().slice(0, 10)}`;
      const used = await store.ledger.used("workspace:main", day);
      expect(used.data).toBeLessThanOrEqual(DATA_CAP);
    } finally {
      await store.close();
    }
    const clay = emulator.control.snapshot().workspaces[0]!;
    expect(clay.credits.dataUsed).toBeLessThanOrEqual(DATA_CAP);
    // Resends after a crash never paid twice: at most one enriched row per person.
    expect(clay.tables[0]!.enriched + clay.tables[0]!.notFound).toBeLessThanOrEqual(LEADS);
  }, 240_000);
});
