/**
 * Where the transport has a dead-letter topic (the event tier), a lead the
 * credit budget refuses is dead as `budget` in the store (the real SQLite
 * store here) and its letter is handed to the topic; a broker that refuses the
 * letter puts the lead back in the outbox; a replay sends it on only once its
 * caps have room — the next window, on a clock the test moves.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDeadLetters } from "../../src/pipeline/dead-letters.js";
import { createSendHandler } from "../../src/pipeline/send-handler.js";
import type { BudgetDeadLetter } from "../../src/transport/transport.js";
import { ManualClock } from "../clay/manual-clock.js";
import { closeSendSides, person, type SendSide, startSendSide } from "./send-side-fixture.js";

afterEach(closeSendSides);

const never = new AbortController().signal;
/** Two leads' estimates (data 10 each) a day. */
const withCap = { credits: { daily: { data: 20 } } };
/** 22:00 UTC: the day's window opens again two hours later. */
const EVENING = Date.UTC(2026, 11, 3, 22);
const MIDNIGHT = Date.UTC(2026, 11, 4);

async function submit(side: SendSide, count: number): Promise<string[]> {
  const { accepted } = await side.intake.submit(
    Array.from({ length: count }, (_, index) => person(index)),
  );
  return accepted.map((lead) => lead.id);
}

describe("budget refusals with a dead-letter topic", () => {
  it("are dead as `budget` until their caps open, with their letter published", async () => {
    const clock = new ManualClock(EVENING);
    const side = await startSendSide({ clock, workspace: withCap });
    const letters: BudgetDeadLetter[] = [];
    const handler = createSendHandler(side.ctx, side.budget, {
      publishBudget: async (letter) => {
        letters.push(letter);
      },
    });
    const [first, second, refused] = await submit(side, 3);
    expect(await handler.claimAndSend(first!, 60_000, never)).toEqual({ kind: "sent" });
    expect(await handler.claimAndSend(second!, 60_000, never)).toEqual({ kind: "sent" });
    expect(await handler.claimAndSend(refused!, 60_000, never)).toEqual({ kind: "dead" });

    expect(await side.store.leads.get(refused!)).toMatchObject({
      state: "dead",
      reason: "budget",
      availableAt: MIDNIGHT,
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ lead: { id: refused }, replayableAfter: MIDNIGHT });
    expect(letters[0]!.detail).toContain("credit cap workspace:main day");

    const dlq = createDeadLetters({ ...side.ctx, sinks: new Map() });
    // Before the window opens: held, and the answer says until when.
    expect(await dlq.replay({ reason: "budget" })).toEqual({
      replayed: 0,
      heldByBudget: { leads: 1, replayableAfter: MIDNIGHT },
    });
    expect((await side.store.leads.get(refused!))?.state).toBe("dead");

    await clock.advance(MIDNIGHT - EVENING);
    expect(await dlq.replay({ reason: "budget" })).toEqual({ replayed: 1 });
    expect((await side.store.leads.get(refused!))?.state).toBe("queued");
    expect(await handler.claimAndSend(refused!, 60_000, never)).toEqual({ kind: "sent" });
    // Replayed once: a second replay finds nothing.
    expect(await dlq.replay({ ids: [refused!] })).toEqual({ replayed: 0 });
    expect(letters).toHaveLength(1);
  });

  it("replays no more leads than the caps have room for", async () => {
    const clock = new ManualClock(EVENING);
    const side = await startSendSide({ clock, workspace: withCap });
    const handler = createSendHandler(side.ctx, side.budget, { publishBudget: async () => {} });
    const ids = await submit(side, 5);
    const outcomes = [];
    for (const id of ids) outcomes.push((await handler.claimAndSend(id, 60_000, never)).kind);
    expect(outcomes).toEqual(["sent", "sent", "dead", "dead", "dead"]);

    await clock.advance(MIDNIGHT - EVENING);
    // The new day has room for two: the third stays dead, until the next midnight.
    const dlq = createDeadLetters({ ...side.ctx, sinks: new Map() });
    expect(await dlq.replay({ reason: "budget" })).toEqual({
      replayed: 2,
      heldByBudget: { leads: 1, replayableAfter: MIDNIGHT + 86_400_000 },
    });
  });

  it("puts the lead back in the outbox when the topic does not take its letter", async () => {
    const clock = new ManualClock(EVENING);
    const side = await startSendSide({ clock, workspace: { credits: { daily: { data: 5 } } } });
    const handler = createSendHandler(side.ctx, side.budget, {
      publishBudget: async () => {
        throw new Error("no broker");
      },
    });
    const [id] = await submit(side, 1);
    expect(await handler.claimAndSend(id!, 60_000, never)).toEqual({
      kind: "retrying",
      delayMs: 5000,
    });
    expect(await side.store.leads.get(id!)).toMatchObject({
      state: "queued",
      availableAt: EVENING + 5000,
    });
    const history = await side.store.leads.history(id!);
    expect(history.map((event) => event.to).slice(-3)).toEqual(["sending", "dead", "queued"]);
  });

  it("waits deferred, as before, where the transport has no dead-letter topic", async () => {
    const clock = new ManualClock(EVENING);
    const side = await startSendSide({ clock, workspace: { credits: { daily: { data: 5 } } } });
    const [id] = await submit(side, 1);
    expect(await side.handler.claimAndSend(id!, 60_000, never)).toEqual({ kind: "waiting" });
    expect(await side.store.leads.get(id!)).toMatchObject({
      state: "deferred",
      availableAt: MIDNIGHT,
    });
  });
});
