/**
 * Leads deferred by a credit cap resume within seconds of a restart with a
 * higher cap, not at the cap's next window; and no more of them than the
 * raised cap has room for.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import type { LeadState } from "../../src/core/lead-state.js";
import { startEmulator } from "../../src/emulator/index.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function config(storePath: string, webhookUrl: string, dailyData: number) {
  return configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          credits: { daily: { data: dailyData } },
          costEstimate: { actions: 1, data: 10 },
          tables: [{ name: "leads", webhooks: [{ url: webhookUrl }] }],
        },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1:9/hooks", secret: "s".repeat(32) },
    sources: [{ name: "api", table: "leads" }],
    store: { sqlite: { path: storePath } },
  });
}

async function run(pipelineConfig: ReturnType<typeof config>): Promise<Pipeline> {
  const pipeline = await createStandardPipeline(pipelineConfig);
  cleanups.push(() => pipeline.stop());
  await pipeline.start();
  return pipeline;
}

/** Polls until the leads' states, sorted, are `states`; the test's timeout bounds the wait. */
async function until(pipeline: Pipeline, ids: string[], states: LeadState[]): Promise<void> {
  for (;;) {
    const views = await Promise.all(ids.map((id) => pipeline.getLead(id)));
    const now = views.map((view) => view?.lead.state).sort();
    if (now.join() === [...states].sort().join()) return;
    await sleep(50);
  }
}

describe("leads deferred by a credit cap", () => {
  it("are sent within seconds of a restart with a raised cap, as many as it has room for", async () => {
    const emulator = await startEmulator({
      timeScale: 1000,
      workspaces: [
        {
          id: "ws",
          rateLimit: { perSecond: 100, burst: 50 },
          tables: [{ id: "t1", autoRun: false, webhooks: [{}] }],
        },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "claypipe-credit-resume-"));
    cleanups.push(() => emulator.close());
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const storePath = join(dir, "claypipe.db");
    const url = emulator.webhookUrl("t1");

    const first = await run(config(storePath, url, 20));
    const { accepted } = await first.submit(
      [1, 2, 3, 4, 5].map((n) => ({ email: `person${n}@example.com` })),
    );
    const ids = accepted.map((entry) => entry.id);
    const sent: LeadState = "awaiting_callback";
    await until(first, ids, [sent, sent, "deferred", "deferred", "deferred"]);
    await first.stop();

    // Room for two more of the three held leads: the third waits for the next day.
    const second = await run(config(storePath, url, 40));
    await until(second, ids, [sent, sent, sent, sent, "deferred"]);
    expect(emulator.control.rows("t1")).toHaveLength(4);
    const { creditHolds } = await second.status();
    expect(creditHolds).toMatchObject([{ waiting: 1, held: true }]);
  });
});
