/**
 * Refresh end to end, per tier with a store: people enriched and delivered,
 * one of them changes jobs at Clay, a refresh run re-enriches them all, and
 * the job change — and only it — takes the "job-change" route, while the
 * unchanged results go only to the route that asks for them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { Pipeline } from "../../src/index.js";
import { makeTempDir } from "../temp-dirs.js";
import {
  readJsonl,
  startService,
  startTierEmulator,
  TABLE_ID,
  tierClay,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();
const PEOPLE = ["ada@acme.example", "ben@acme.example", "cy@acme.example", "di@acme.example"];

interface RefreshTier {
  pipeline: Pipeline;
  moves: string;
  unchanged: string;
  fresh: string;
}

async function startTier(
  running: RunningEmulator,
  tier: "standard" | "queue" | "event",
): Promise<RefreshTier> {
  const dir = makeTempDir("refresh-tier");
  const files = {
    moves: join(dir, "moves.jsonl"),
    unchanged: join(dir, "unchanged.jsonl"),
    fresh: join(dir, "fresh.jsonl"),
  };
  const { pipeline } = await startService(cleanup, {
    ...tierSettings(cleanup, tier, "refresh"),
    clay: tierClay(running),
    routes: {
      mode: "all",
      rules: [
        { name: "job-change", when: "changed.company_domain", to: ["moves"] },
        { name: "fresh", when: "true", to: ["fresh"] },
        { name: "same", when: "true", on: ["unchanged"], to: ["unchanged"] },
      ],
    },
    sinks: Object.entries(files).map(([name, path]) => ({ name, type: "file" as const, path })),
    // Every stored result is stale at once: the test does not wait 90 days.
    refresh: [{ name: "quarterly", schedule: "0 3 * * 1", olderThan: 1 }],
    logLevel: "silent",
  });
  return { pipeline, ...files };
}

async function refreshWithOneJobChange(running: RunningEmulator, tier: RefreshTier): Promise<void> {
  const { pipeline } = tier;
  await pipeline.submit(PEOPLE.map((email) => ({ email, company: "Acme" })));
  await until(
    "first results delivered",
    async () => (await pipeline.status()).states.delivered === 4,
  );
  expect(await readJsonl(tier.fresh)).toHaveLength(4);

  running.control.moveOnNextEnrichment(TABLE_ID, { email: "ada@acme.example" });
  const figures = await pipeline.refresh.runNow("quarterly");
  expect(figures).toMatchObject({ examined: 4, refreshed: 4, stoppedBy: null });
  await until(
    "refreshed results delivered",
    async () => (await pipeline.status()).states.delivered === 8,
  );
  // Clay was paid once more per person: each refresh is a row of its own.
  expect(running.control.rows(TABLE_ID)).toHaveLength(8);

  const moves = await readJsonl(tier.moves);
  expect(moves).toHaveLength(1);
  const move = moves[0]!;
  expect(move.email).toBe("ada@acme.example");
  const change = (move.changed as Record<string, { from: unknown; to: unknown }>).company_domain!;
  expect(change.from).not.toEqual(change.to);
  expect(move.company_domain).toBe(change.to);
  // The changed result also takes the ordinary route; unchanged ones only the route asking for them.
  expect(await readJsonl(tier.fresh)).toHaveLength(5);
  const same = await readJsonl(tier.unchanged);
  expect(same.map((row) => row.email).sort()).toEqual(PEOPLE.slice(1));
  expect(same.every((row) => JSON.stringify(row.changed) === "{}")).toBe(true);

  const [schedule] = (await pipeline.status()).refresh;
  expect(schedule).toMatchObject({ name: "quarterly", lastRun: { refreshed: 4 } });
  expect(schedule!.nextRunAt).toBeGreaterThan(Date.now());
}

describe("refresh with change detection", () => {
  it.each(["standard", "queue", "event"] as const)("%s tier", async (tier) => {
    const running = await startTierEmulator(cleanup);
    await refreshWithOneJobChange(running, await startTier(running, tier));
  });
});
