/** The deferred sweep sends a lead whose wait is over to where its source sends today. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { createDeferredStep } from "../../src/pipeline/deferred-step.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import type { Store } from "../../src/store/store.js";
import { ManualClock } from "../clay/manual-clock.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(clock: ManualClock): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-deferred-"));
  const store = await createSqliteStore({ path: join(dir, "claypipe.db"), clock });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

const table = (name: string) => ({ name, webhooks: [{ url: `https://clay.example/${name}` }] });

describe("deferred sweep", () => {
  it("re-resolves each due lead's table from its source; a lead of a source gone keeps its own", async () => {
    const clock = new ManualClock();
    const store = await openStore(clock);
    const lead = (id: string, source: string) => ({
      id,
      source,
      workspace: "main",
      table: "leads",
      identityKey: `email:${id}@example.com`,
      fields: { email: `${id}@example.com` },
      priority: 0,
    });
    await store.leads.admit([lead("a", "api"), lead("b", "gone")], {
      dedupeSince: 0,
      now: clock.now(),
    });
    for (const id of ["a", "b"]) {
      await store.leads.transition(id, "queued", "deferred", {
        reason: "credit cap workspace:main day 2023-11-14 reached (data 10/10)",
        availableAt: clock.now() + 1000,
      });
    }
    const config = configSchema.parse({
      clay: { workspaces: [{ name: "main", tables: [table("leads"), table("leads2")] }] },
      sources: [{ name: "api", table: "leads2" }],
    });
    const step = createDeferredStep({ store, clock, config });
    const never = new AbortController().signal;
    expect(await step(never)).toBe(0);
    await clock.advance(1000);
    expect(await step(never)).toBe(2);
    expect(await store.leads.get("a")).toMatchObject({ state: "queued", table: "leads2" });
    expect(await store.leads.get("b")).toMatchObject({ state: "queued", table: "leads" });
    expect((await store.leads.history("a")).at(-1)!.reason).toBe(
      'budget window reopened; its source now sends to table "main/leads2"',
    );
  });
});
