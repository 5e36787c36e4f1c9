/**
 * The queue tier: leads waiting because their table is full resume within
 * seconds when another worker starts with a config that has room — judged
 * from the counters every process shares — while a worker with the old
 * config keeps running.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type ClaypipeConfig, configSchema } from "../../src/config/schema.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createPipeline } from "../../src/tiers/create-pipeline.js";
import { type QueueRig, startQueueRig, TABLE_ID } from "./queue-rig.js";

let rig: QueueRig | undefined;
let newer: Pipeline | undefined;
afterEach(async () => {
  await newer?.stop();
  newer = undefined;
  await rig?.close();
  rig = undefined;
});

/** The rig's config with a second table, which the source now sends to. */
function withSecondTable(config: ClaypipeConfig, url: string): ClaypipeConfig {
  const [workspace] = config.clay.workspaces;
  const added = configSchema.parse({
    clay: { workspaces: [{ name: "x", tables: [{ name: "leads2", webhooks: [{ url }] }] }] },
  }).clay.workspaces[0]!.tables[0]!;
  return {
    ...config,
    clay: { workspaces: [{ ...workspace!, tables: [...workspace!.tables, added] }] },
    sources: config.sources.map((source) => ({ ...source, table: "leads2" })),
  };
}

describe("leads waiting for capacity in the queue tier", () => {
  it("resume through a worker started with a new table, beside a worker with the old config", async () => {
    rig = await startQueueRig({ config: { sources: [{ name: "api", table: "leads" }] } });
    const [workspace] = rig.config.clay.workspaces;
    const full = { ...workspace!.tables[0]!, rowLimit: 2, capacityMargin: 0 };
    const before = { ...rig.config, clay: { workspaces: [{ ...workspace!, tables: [full] }] } };
    const old = await createPipeline(before, { role: "worker" });
    await old.start();
    const { accepted } = await rig.api.submit(
      [1, 2, 3, 4].map((n) => ({ email: `wait${n}@queue.example` })),
    );
    const ids = accepted.map((lead) => lead.id);
    for (;;) {
      const states = await rig.states(ids);
      if (
        states.deferred === 2 &&
        (states.delivered ?? 0) + (states.awaiting_callback ?? 0) + (states.enriched ?? 0) === 2
      )
        break;
      await sleep(100);
    }
    const waiting = [];
    for (const id of ids) {
      if ((await rig.api.getLead(id))!.lead.state === "deferred") waiting.push(id);
    }

    newer = await createPipeline(withSecondTable(before, rig.emulator.webhookUrl(TABLE_ID)), {
      role: "worker",
    });
    await newer.start();
    try {
      const views = await rig.waitForAll(ids, 60_000);
      expect(views.map((view) => view.lead.state)).toEqual(Array(4).fill("delivered"));
      for (const id of waiting) expect((await rig.api.getLead(id))!.lead.table).toBe("leads2");
    } finally {
      await old.stop();
    }
  }, 120_000);
});
