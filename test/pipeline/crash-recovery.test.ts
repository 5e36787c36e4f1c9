/**
 * Recovery after a crash, on a SQLite file reopened as a restart does: leads
 * caught in `sending` follow recovery.sending (resend or hold), and duplicates
 * left waiting for a dead lead go on their own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoverAfterCrash } from "../../src/pipeline/crash-recovery.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { WARN } from "../clay/log-capture.js";
import { ManualClock } from "../clay/manual-clock.js";
import {
  closeSendSides,
  person,
  type SendSideOptions,
  sendStepOf,
  startSendSide,
  TABLE_ID,
} from "./send-side-fixture.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claypipe-recovery-"));
});
afterEach(async () => {
  await closeSendSides();
  rmSync(dir, { recursive: true, force: true });
});

const never = new AbortController().signal;
const withCap = { credits: { daily: { actions: 100 } } };

/**
 * A first run that admits three leads (the first twice, as a duplicate), claims
 * two and reserves their credits, then dies before sending; and the restart on
 * the same file.
 */
async function crashWhileSending(options: SendSideOptions = {}) {
  const storePath = join(dir, "claypipe.db");
  const clock = new ManualClock(Date.now());
  const first = await startSendSide({ ...options, clock, storePath, workspace: withCap });
  const ids: string[] = [];
  for (const lead of [person(1), person(2), person(3), person(1)]) {
    ids.push((await first.intake.submit([lead])).accepted[0]!.id);
    await clock.advance(1);
  }
  // The two oldest: person 1 (whose duplicate waits) and person 2.
  const claimed = await first.store.leads.claimDue(2, clock.now());
  expect(claimed.map((lead) => lead.id)).toEqual(ids.slice(0, 2));
  for (const lead of claimed) expect((await first.budget.reserve(lead, clock.now())).ok).toBe(true);
  await first.store.close();

  const restarted = await startSendSide({
    ...options,
    storePath,
    workspace: withCap,
    emulator: first.emulator,
  });
  const used = async () =>
    (await restarted.store.ledger.used("workspace:main", windowAt("day", Date.now()).key)).actions;
  expect(await used()).toBe(2);
  return { side: restarted, ids, claimed: claimed.map((lead) => lead.id), used };
}

describe("recoverAfterCrash", () => {
  it("resends interrupted sends by default, giving back their reservations", async () => {
    const { side, ids, claimed, used } = await crashWhileSending();
    expect(await recoverAfterCrash(side.ctx)).toEqual({
      resent: 2,
      held: 0,
      releasedDuplicates: 0,
    });
    for (const id of claimed) {
      const lead = (await side.store.leads.get(id))!;
      expect(lead.state).toBe("queued");
      expect(lead.reason).toBe("interrupted send: sending again (at-least-once)");
      expect(lead.availableAt).toBeLessThanOrEqual(Date.now());
    }
    expect(await used()).toBe(0);
    expect(
      side.logs.filter((line) => line.level === WARN && /recovered/.test(line.msg)),
    ).toHaveLength(1);

    await sendStepOf(side)(never);
    const states = await Promise.all(
      ids.map(async (id) => (await side.store.leads.get(id))!.state),
    );
    expect(states).toEqual([
      "awaiting_callback",
      "awaiting_callback",
      "awaiting_callback",
      "duplicate",
    ]);
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(3);
    expect(await used()).toBe(3);
  });

  it("holds interrupted sends in the DLQ as interrupted_send when configured", async () => {
    const { side, ids, claimed, used } = await crashWhileSending({
      config: { recovery: { sending: "hold" } },
    });
    const dead: string[] = [];
    side.ctx.events.on("dead", (id, reason) => dead.push(`${id}:${reason}`));
    const counts = await recoverAfterCrash(side.ctx);
    expect(counts).toEqual({ resent: 0, held: 2, releasedDuplicates: 0 });
    for (const id of claimed) {
      expect(await side.store.leads.get(id)).toMatchObject({
        state: "dead",
        reason: "interrupted_send",
      });
    }
    expect(dead.sort()).toEqual(claimed.map((id) => `${id}:interrupted_send`).sort());
    expect(await used()).toBe(0);
    // Person 1's lead was held: its duplicate goes on its own.
    expect(await side.store.leads.get(ids[3]!)).toMatchObject({
      state: "queued",
      duplicateOf: null,
    });
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(0);
  });

  it("sends on the duplicates of a lead that went dead just before the crash", async () => {
    const storePath = join(dir, "claypipe.db");
    const first = await startSendSide({ storePath });
    const { accepted } = await first.intake.submit([person(1), person(1), person(1)]);
    const [original, ...duplicates] = accepted.map((entry) => entry.id);
    // The original went dead; the process died before its duplicates were released.
    await first.store.leads.transition(original!, "queued", "dead", { reason: "send_failed" });
    await first.store.close();

    const side = await startSendSide({ storePath, emulator: first.emulator });
    expect(await recoverAfterCrash(side.ctx)).toEqual({
      resent: 0,
      held: 0,
      releasedDuplicates: 2,
    });
    for (const id of duplicates) {
      expect(await side.store.leads.get(id!)).toMatchObject({ state: "queued", duplicateOf: null });
    }
  });

  it("finds nothing to do after a clean stop", async () => {
    const side = await startSendSide({ storePath: join(dir, "claypipe.db") });
    await side.intake.submit([person(1), person(1)]);
    expect(await recoverAfterCrash(side.ctx)).toEqual({
      resent: 0,
      held: 0,
      releasedDuplicates: 0,
    });
    expect(side.logs.filter((line) => /recovered/.test(line.msg))).toHaveLength(0);
  });
});
