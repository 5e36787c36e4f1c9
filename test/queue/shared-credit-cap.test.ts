/**
 * Credit caps hold across workers: three worker pipelines racing for one
 * workspace's daily cap send only the leads it pays for, and the rest wait as
 * deferred for the next window — never a credit over, in the ledger or at Clay.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type QueueRig, startQueueRig, TABLE_ID } from "./queue-rig.js";

let rig: QueueRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("a credit cap shared by workers", () => {
  it("lets only the leads the cap pays for through, whichever worker sends them", async () => {
    rig = await startQueueRig({
      workspace: {
        costEstimate: { actions: 0, data: 10 },
        credits: { daily: { data: 120 } },
      },
    });
    await Promise.all([rig.startWorker(), rig.startWorker(), rig.startWorker()]);
    const ids = (
      await rig.api.submit(
        Array.from({ length: 30 }, (_, i) => ({ email: `capped${i}@cap.example` })),
      )
    ).accepted.map((lead) => lead.id);

    const deadline = Date.now() + 20_000;
    let states = await rig.states(ids);
    while ((states.delivered ?? 0) + (states.deferred ?? 0) < 30 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      states = await rig.states(ids);
    }
    // Reserved at 10 per send against a cap of 120: at least twelve sends; settled at
    // what Clay charged (7–10, or nothing when not found), the room left lets a few more go.
    const sent = rig.emulator.control.rows(TABLE_ID).length;
    expect(sent).toBeGreaterThanOrEqual(12);
    expect(states).toEqual({ delivered: sent, deferred: 30 - sent });
    expect(rig.emulator.control.snapshot().workspaces[0]!.credits.dataUsed).toBeLessThanOrEqual(
      120,
    );
    const status = await rig.api.status();
    const [daily] = status.credits.filter((line) => line.scope === "workspace:ws");
    expect(daily!.limit.data).toBe(120);
    expect(daily!.used.data).toBeLessThanOrEqual(120);
  });
});
