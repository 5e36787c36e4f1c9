/** Intake on a real SQLite store: validation, the dedupe gate, duplicates served from a result, credits saved. */
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { createGroupedAdmit } from "../../src/pipeline/grouped-admit.js";
import { createIntakeService } from "../../src/pipeline/intake-service.js";
import type { EnrichedRow } from "../../src/store/store.js";
import { ManualClock } from "../clay/manual-clock.js";
import {
  closeSendSides,
  person,
  type SendSide,
  sendStepOf,
  startSendSide,
  TABLE_ID,
} from "./send-side-fixture.js";

afterEach(closeSendSides);

/** Takes a queued lead through the store's own moves to enriched, as the send and return sides would. */
async function enrich(side: SendSide, id: string, result: EnrichedRow): Promise<void> {
  const { leads } = side.store;
  const claimed = await leads.claimDue(100, side.clock.now());
  expect(claimed.map((lead) => lead.id)).toContain(id);
  expect(
    await leads.transition(id, "sending", "awaiting_callback", {
      attempt: 1,
      callbackDeadline: side.clock.now() + 60_000,
    }),
  ).toBe(true);
  expect(await leads.transition(id, "awaiting_callback", "enriched", { result })).toBe(true);
}

describe("intake service", () => {
  it("admits valid leads and reports each invalid one by its index", async () => {
    const side = await startSendSide();
    const result = await side.intake.submit([
      person(1),
      { email: "not-an-email" },
      "a string",
      person(2, { tags: ["nested"] }),
      person(3),
    ]);
    expect(result.accepted.map(({ index, state }) => ({ index, state }))).toEqual([
      { index: 0, state: "queued" },
      { index: 4, state: "queued" },
    ]);
    expect(result.rejected.map((entry) => entry.index)).toEqual([1, 2, 3]);
    expect(result.rejected[0]!.issues[0]).toMatchObject({ path: "email" });
    expect(result.rejected[2]!.issues[0]).toMatchObject({ path: "tags" });

    const stored = await side.store.leads.get(result.accepted[0]!.id);
    expect(stored).toMatchObject({
      state: "queued",
      source: "api",
      workspace: "main",
      table: "leads",
      identityKey: "email:person1@example.com",
      fields: { email: "person1@example.com", first_name: "P1", company: "Acme" },
    });
    expect((await side.store.leads.countByState()).queued).toBe(2);
  });

  it("writes nothing when every lead is invalid", async () => {
    const side = await startSendSide();
    const result = await side.intake.submit([{}, null]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected).toHaveLength(2);
    expect(Object.values(await side.store.leads.countByState()).reduce((a, b) => a + b)).toBe(0);
  });

  it("refuses an unknown source, naming the configured ones, and admits nothing", async () => {
    const side = await startSendSide({ config: { sources: [{ name: "web" }, { name: "csv" }] } });
    const thrown = await side.intake.submit([person(1)], { source: "crm" }).catch((error) => error);
    expect(thrown).toBeInstanceOf(ClaypipeError);
    expect((thrown as ClaypipeError).code).toBe("input_invalid");
    expect((thrown as ClaypipeError).hint).toContain("web, csv");
    expect((await side.store.leads.countByState()).queued).toBe(0);
  });

  it("gives a source's leads its priority", async () => {
    const side = await startSendSide({
      config: { sources: [{ name: "web" }, { name: "csv", priority: 40 }] },
    });
    const { accepted } = await side.intake.submit([person(1)], { source: "csv" });
    expect(await side.store.leads.get(accepted[0]!.id)).toMatchObject({
      source: "csv",
      priority: 40,
    });
  });

  it("joins a repeat to the lead in flight: it waits as a duplicate, no credit saved yet", async () => {
    const side = await startSendSide();
    const first = await side.intake.submit([person(1)]);
    const again = await side.intake.submit([{ ...person(1), email: " PERSON1@example.com " }]);
    expect(again.accepted[0]!.state).toBe("duplicate");
    const duplicate = await side.store.leads.get(again.accepted[0]!.id);
    expect(duplicate).toMatchObject({
      state: "duplicate",
      duplicateOf: first.accepted[0]!.id,
      result: null,
    });
    expect(await side.store.ledger.saved()).toEqual({ actions: 0, data: 0 });
  });

  it("serves a repeat from the earlier result: enriched at once, event emitted, credits saved", async () => {
    const side = await startSendSide();
    const first = await side.intake.submit([person(1)]);
    const originalId = first.accepted[0]!.id;
    const result = { email: "person1@example.com", title: "CTO", clay_row_id: "r1" };
    await enrich(side, originalId, result);

    const emitted: Array<[string, EnrichedRow]> = [];
    side.ctx.events.on("enriched", (id, row) => emitted.push([id, row]));
    const again = await side.intake.submit([person(1), person(1)]);
    const ids = again.accepted.map((entry) => entry.id);
    expect(again.accepted.map((entry) => entry.state)).toEqual(["duplicate", "duplicate"]);
    for (const id of ids) {
      const lead = await side.store.leads.get(id);
      expect(lead).toMatchObject({ state: "enriched", result, duplicateOf: originalId });
      expect(lead!.availableAt).toBeLessThanOrEqual(side.clock.now());
      const history = await side.store.leads.history(id);
      expect(history.map((event) => event.to)).toEqual(["received", "duplicate", "enriched"]);
      expect(history.at(-1)!.reason).toContain(originalId);
    }
    expect(emitted).toEqual(ids.map((id) => [id, result]));
    // costEstimate is { actions: 1, data: 10 } per lead served.
    expect(await side.store.ledger.saved()).toEqual({ actions: 2, data: 20 });
  });

  it("records a duplicate served at once in causal order when the grouped admit reads the clock later", async () => {
    // Every read of this clock is a millisecond later than the one before, as real time is.
    let tick = 1_700_000_000_000;
    const clock = { now: () => ++tick, sleep: systemClock.sleep };
    const side = await startSendSide({ clock });
    const first = await side.intake.submit([person(1)]);
    await enrich(side, first.accepted[0]!.id, { email: "person1@example.com" });

    const grouped = createGroupedAdmit(side.store.leads, { clock, dedupeWindowMs: 60_000 });
    const intake = createIntakeService(side.ctx, { admit: grouped.admit });
    const again = await intake.submit([person(1)]);
    await grouped.close();
    const history = await side.store.leads.history(again.accepted[0]!.id);
    expect(history.map((event) => event.to)).toEqual(["received", "duplicate", "enriched"]);
    const times = history.map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("dedupes on configured fields, falling back to the identity when one is missing", async () => {
    const side = await startSendSide({ config: { dedupe: { key: ["company", "last_name"] } } });
    const result = await side.intake.submit([
      { email: "a@x.com", company: "Acme", last_name: "Lovelace" },
      { email: "b@y.com", company: " ACME ", last_name: "lovelace" },
      { email: "c@z.com", company: "Acme" },
      { email: "c@z.com", company: "Other" },
    ]);
    expect(result.accepted.map((entry) => entry.state)).toEqual([
      "queued",
      "duplicate",
      "queued",
      "duplicate",
    ]);
  });

  it("does not count a lead older than the dedupe window", async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T10:00:00Z"));
    const side = await startSendSide({ clock, config: { dedupe: { window: "1h" } } });
    await side.intake.submit([person(1)]);
    await clock.advance(60 * 60_000 + 1);
    const again = await side.intake.submit([person(1)]);
    expect(again.accepted[0]!.state).toBe("queued");
  });

  it("sends a repeat of a dead lead again", async () => {
    const side = await startSendSide();
    const first = await side.intake.submit([person(1)]);
    await side.store.leads.transition(first.accepted[0]!.id, "queued", "dead", {
      reason: "send_failed",
    });
    const again = await side.intake.submit([person(1)]);
    expect(again.accepted[0]!.state).toBe("queued");
  });
});

describe("intake service: pre-send rules (enrichIf)", () => {
  const FREE_MAIL = {
    name: "no_free_mail",
    when: 'email_domain not in ["gmail.com", "yahoo.com"]',
  };

  it("admits a lead a rule fails as skipped, naming the rule: no credit reserved, no Clay row", async () => {
    const side = await startSendSide({
      workspace: { credits: { daily: { actions: 100 } }, costEstimate: { actions: 1, data: 5 } },
      config: { enrichIf: [FREE_MAIL] },
    });
    const { accepted } = await side.intake.submit([
      person(1, { email: "Ada@GMail.com" }),
      person(2),
    ]);
    expect(accepted.map((entry) => entry.state)).toEqual(["skipped", "queued"]);
    const skippedId = accepted[0]!.id;
    expect(await side.store.leads.get(skippedId)).toMatchObject({
      state: "skipped",
      reason: 'skipped by enrichIf rule "no_free_mail"',
      fields: { email: "ada@gmail.com" },
    });

    await sendStepOf(side)(new AbortController().signal);
    const rows = side.emulator.control.rows(TABLE_ID);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain("person2@example.com");
    expect((await side.store.leads.get(skippedId))?.state).toBe("skipped");
    const day = windowAt("day", side.clock.now()).key;
    expect(await side.store.ledger.used("workspace:main", day)).toEqual({ actions: 1, data: 5 });
  });

  it("never makes a skipped lead the original of a later lead of the same person", async () => {
    const side = await startSendSide({
      config: {
        sources: [{ name: "api" }, { name: "csv" }],
        enrichIf: [{ ...FREE_MAIL, sources: ["csv"] }],
      },
    });
    const ada = person(1, { email: "ada@gmail.com" });
    const fromCsv = await side.intake.submit([ada], { source: "csv" });
    expect(fromCsv.accepted[0]!.state).toBe("skipped");
    // The rule applies to csv leads only: the same person from the API is sent, not held as a repeat.
    const fromApi = await side.intake.submit([ada], { source: "api" });
    expect(fromApi.accepted[0]!.state).toBe("queued");
    const again = await side.intake.submit([ada], { source: "api" });
    expect(await side.store.leads.get(again.accepted[0]!.id)).toMatchObject({
      state: "duplicate",
      duplicateOf: fromApi.accepted[0]!.id,
    });
  });
});
