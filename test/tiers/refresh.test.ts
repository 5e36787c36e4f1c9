/**
 * Refresh end to end, per tier with a store: people enriched and delivered,
 * one of them changes jobs at Clay, a refresh run re-enriches them all, and
 * the job change — and only it — takes the "job-change" route, while the
 * unchanged results go only to the route that asks for them.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import { makeTempDir } from "../temp-dirs.js";
import { startTierEmulator, TABLE_ID, tierBackends, until, useCleanup } from "./tier-kit.js";

const cleanup = useCleanup();
const PEOPLE = ["ada@acme.example", "ben@acme.example", "cy@acme.example", "di@acme.example"];

function readJsonl(path: string): Array<Record<string, unknown>> {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

async function startTier(
  running: RunningEmulator,
  tierSettings: Partial<ClaypipeConfigInput>,
): Promise<{ pipeline: Pipeline; moves: string; unchanged: string; fresh: string }> {
  const dir = makeTempDir("refresh-tier");
  const files = {
    moves: join(dir, "moves.jsonl"),
    unchanged: join(dir, "unchanged.jsonl"),
    fresh: join(dir, "fresh.jsonl"),
  };
  const port = await freePort();
  const config = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          tables: [
            { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
          ],
        },
      ],
    },
    routes: {
      mode: "all",
      rules: [
        { name: "job-change", when: "changed.company_domain", to: ["moves"] },
        { name: "fresh", when: "true", to: ["fresh"] },
        { name: "same", when: "true", on: ["unchanged"], to: ["unchanged"] },
      ],
    },
    sinks: Object.entries(files).map(([name, path]) => ({ name, type: "file", path })),
    // Every stored result is stale at once: the test does not wait 90 days.
    refresh: [{ name: "quarterly", schedule: "0 3 * * 1", olderThan: 1 }],
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    server: { port },
    logLevel: "silent",
    ...tierSettings,
  });
  const pipeline = await createPipeline(config);
  const server = await createServer({ pipeline, config });
  cleanup(() => pipeline.stop());
  cleanup(() => server.close());
  await pipeline.start();
  await server.listen();
  return { pipeline, ...files };
}

async function refreshWithOneJobChange(
  running: RunningEmulator,
  tier: Awaited<ReturnType<typeof startTier>>,
): Promise<void> {
  const { pipeline } = tier;
  await pipeline.submit(PEOPLE.map((email) => ({ email, company: "Acme" })));
  await until(
    "first results delivered",
    async () => (await pipeline.status()).states.delivered === 4,
  );
  expect(readJsonl(tier.fresh)).toHaveLength(4);

  running.control.moveOnNextEnrichment(TABLE_ID, { email: "ada@acme.example" });
  const figures = await pipeline.refresh.runNow("quarterly");
  expect(figures).toMatchObject({ examined: 4, refreshed: 4, stoppedBy: null });
  await until(
    "refreshed results delivered",
    async () => (await pipeline.status()).states.delivered === 8,
  );
  // Clay was paid once more per person: each refresh is a row of its own.
  expect(running.control.rows(TABLE_ID)).toHaveLength(8);

  const moves = readJsonl(tier.moves);
  expect(moves).toHaveLength(1);
  const move = moves[0]!;
  expect(move.email).toBe("ada@acme.example");
  const change = (move.changed as Record<string, { from: unknown; to: unknown }>).company_domain!;
  expect(change.from).not.toEqual(change.to);
  expect(move.company_domain).toBe(change.to);
  // The changed result also takes the ordinary route; unchanged ones only the route asking for them.
  expect(readJsonl(tier.fresh)).toHaveLength(5);
  const same = readJsonl(tier.unchanged);
  expect(same.map((row) => row.email).sort()).toEqual(PEOPLE.slice(1));
  expect(same.every((row) => JSON.stringify(row.changed) === "{}")).toBe(true);

  const [schedule] = (await pipeline.status()).refresh;
  expect(schedule).toMatchObject({ name: "quarterly", lastRun: { refreshed: 4 } });
  expect(schedule!.nextRunAt).toBeGreaterThan(Date.now());
}

describe("refresh with change detection", () => {
  it("standard: SQLite in one process", async () => {
    const running = await startTierEmulator(cleanup);
    const tier = await startTier(running, {
      tier: "standard",
      store: { sqlite: { path: join(makeTempDir("refresh-standard"), "claypipe.db") } },
    });
    await refreshWithOneJobChange(running, tier);
  });

  it("queue: PostgreSQL and BullMQ on Redis", async () => {
    const running = await startTierEmulator(cleanup);
    const { topicPrefix: _, ...backends } = tierBackends(cleanup, "refresh");
    const tier = await startTier(running, { tier: "queue", ...backends });
    await refreshWithOneJobChange(running, tier);
  });

  it("event: leads carried on NATS JetStream", async () => {
    const running = await startTierEmulator(cleanup);
    const { topicPrefix: _, ...backends } = tierBackends(cleanup, "refresh", { bus: true });
    const tier = await startTier(running, { tier: "event", ...backends });
    await refreshWithOneJobChange(running, tier);
  });
});
