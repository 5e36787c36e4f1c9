/**
 * Leads deferred because their table had no capacity resume within seconds of
 * a restart with more capacity in the config — a table their source now sends
 * to, or a webhook added to their table — not after `sender.capacityWait`
 * (15 minutes by default), and they go where the config sends them now.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import type { LeadState } from "../../src/core/lead-state.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ emulator: RunningEmulator; storePath: string }> {
  const emulator = await startEmulator({
    timeScale: 1000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 100, burst: 50 },
        tables: [
          { id: "t1", autoRun: false, webhooks: [{}, {}] },
          { id: "t2", autoRun: false, webhooks: [{}] },
        ],
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "claypipe-capacity-"));
  cleanups.push(() => emulator.close());
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { emulator, storePath: join(dir, "claypipe.db") };
}

function config(storePath: string, tables: unknown[], source: { name: string; table: string }) {
  return configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [{ name: "main", rateLimit: { perSecond: 100, burst: 50 }, tables }],
    },
    callbacks: { baseUrl: "http://127.0.0.1:9/hooks", secret: "s".repeat(32) },
    sources: [source],
    store: { sqlite: { path: storePath } },
  });
}

async function run(pipelineConfig: ReturnType<typeof config>): Promise<Pipeline> {
  const pipeline = await createStandardPipeline(pipelineConfig);
  cleanups.push(() => pipeline.stop());
  await pipeline.start();
  return pipeline;
}

/** Polls until every lead is in `state`; the test's timeout bounds the wait. */
async function until(pipeline: Pipeline, ids: string[], state: LeadState): Promise<void> {
  for (;;) {
    const views = await Promise.all(ids.map((id) => pipeline.getLead(id)));
    if (views.every((view) => view?.lead.state === state)) return;
    await sleep(50);
  }
}

/** Sends four leads to a table that takes two: two go, two wait as deferred. */
async function fillTable(pipelineConfig: ReturnType<typeof config>) {
  const first = await run(pipelineConfig);
  const { accepted } = await first.submit(
    [1, 2, 3, 4].map((n) => ({ email: `person${n}@example.com` })),
  );
  const ids = accepted.map((entry) => entry.id);
  for (;;) {
    const views = await Promise.all(ids.map((id) => first.getLead(id)));
    const states = views.map((view) => view!.lead.state).sort();
    if (states.join() === "awaiting_callback,awaiting_callback,deferred,deferred") break;
    await sleep(50);
  }
  const views = await Promise.all(ids.map((id) => first.getLead(id)));
  await first.stop();
  return views.flatMap((view) => (view!.lead.state === "deferred" ? [view!.lead] : []));
}

describe("leads waiting for capacity", () => {
  it("follow their source to a new table within seconds of the restart", async () => {
    const { emulator, storePath } = await setup();
    const full = {
      name: "leads",
      rowLimit: 2,
      capacityMargin: 0,
      webhooks: [{ url: emulator.webhookUrl("t1") }],
    };
    const deferred = await fillTable(config(storePath, [full], { name: "api", table: "leads" }));
    for (const lead of deferred) {
      expect(lead.reason).toMatch(/^no capacity: table "leads" of workspace "main" holds 2 rows/);
    }
    const waiting = deferred.map((lead) => lead.id);

    const added = { name: "leads2", webhooks: [{ url: emulator.webhookUrl("t2") }] };
    const second = await run(config(storePath, [full, added], { name: "api", table: "leads2" }));
    await until(second, waiting, "awaiting_callback");
    for (const id of waiting) {
      const { lead, history } = (await second.getLead(id))!;
      expect(lead.table).toBe("leads2");
      expect(history.map((event) => event.to)).toContain("deferred");
    }
    expect(emulator.control.rows("t1")).toHaveLength(2);
    expect(
      emulator.control
        .rows("t2")
        .map((row) => row.fields.claypipe_id)
        .sort(),
    ).toEqual([...waiting].sort());
  });

  it("go through a webhook added to their table within seconds of the restart", async () => {
    const { emulator, storePath } = await setup();
    const table = (webhooks: number) => ({
      name: "leads",
      capacityMargin: 0,
      webhooks: Array.from({ length: webhooks }, (_, index) => ({
        url: emulator.webhookUrl("t1", index),
        submissionLimit: 2,
      })),
    });
    const source = { name: "api", table: "leads" };
    const waiting = (await fillTable(config(storePath, [table(1)], source))).map((lead) => lead.id);
    const second = await run(config(storePath, [table(2)], source));
    await until(second, waiting, "awaiting_callback");
    expect(emulator.control.rows("t1")).toHaveLength(4);
  });
});
