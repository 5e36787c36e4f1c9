/** Contract: `leads.admit` — durable intake and the dedupe decision, all in one transaction. */
import { describe, expect, it } from "vitest";
import {
  admit,
  admitOne,
  killLead,
  mustMove,
  newLead,
  type OpenStore,
  T0,
  useStore,
} from "./fixtures.js";

export function describeLeadAdmission(open: OpenStore): void {
  describe("leads.admit", () => {
    const store = useStore(open);

    it("stores a new lead as queued, with the received step in its history", async () => {
      const lead = newLead({ priority: 3, source: "web" });
      expect(await admit(store(), [lead], T0)).toEqual([{ id: lead.id, state: "queued" }]);
      expect(await store().leads.get(lead.id)).toEqual({
        ...lead,
        state: "queued",
        reason: null,
        attempt: 0,
        availableAt: T0,
        callbackDeadline: null,
        duplicateOf: null,
        result: null,
        routes: [],
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store().leads.history(lead.id)).toEqual([
        { leadId: lead.id, at: T0, from: null, to: "received", reason: null },
        { leadId: lead.id, at: T0, from: "received", to: "queued", reason: null },
      ]);
    });

    it("returns undefined and no history for an unknown id", async () => {
      expect(await store().leads.get("nope")).toBeUndefined();
      expect(await store().leads.history("nope")).toEqual([]);
    });

    it("admits nothing for an empty batch", async () => {
      expect(await admit(store(), [])).toEqual([]);
    });

    it("marks a repeat inside one batch as a duplicate of the first", async () => {
      const first = newLead();
      const second = newLead({ identityKey: first.identityKey, source: "csv" });
      const third = newLead({ identityKey: first.identityKey });
      const other = newLead();
      const admissions = await admit(store(), [first, second, other, third]);
      expect(admissions.map((admission) => admission.state)).toEqual([
        "queued",
        "duplicate",
        "queued",
        "duplicate",
      ]);
      for (const admission of [admissions[1], admissions[3]]) {
        expect(admission).toMatchObject({ state: "duplicate", duplicateOf: first.id });
        if (admission?.state === "duplicate") expect(admission.original.id).toBe(first.id);
      }
      const duplicate = await store().leads.get(second.id);
      expect(duplicate).toMatchObject({ state: "duplicate", duplicateOf: first.id });
      expect((await store().leads.history(second.id)).map((event) => event.to)).toEqual([
        "received",
        "duplicate",
      ]);
    });

    it("marks a repeat in a later batch as a duplicate, returning the original as it is now", async () => {
      const first = newLead();
      await admit(store(), [first], T0);
      await mustMove(store(), first.id, "queued", "sending", {}, T0 + 5);
      const again = newLead({ identityKey: first.identityKey });
      const [admission] = await admit(store(), [again], T0 + 10);
      expect(admission).toMatchObject({ id: again.id, state: "duplicate", duplicateOf: first.id });
      if (admission?.state !== "duplicate") throw new Error("expected a duplicate");
      expect(admission.original).toMatchObject({
        id: first.id,
        state: "sending",
        fields: first.fields,
      });
    });

    it("takes the earliest lead of the identity as the original", async () => {
      const first = newLead();
      await admit(store(), [first], T0);
      const second = newLead({ identityKey: first.identityKey });
      await admit(store(), [second], T0 + 1);
      const third = newLead({ identityKey: first.identityKey });
      expect(await admit(store(), [third], T0 + 2)).toMatchObject([{ duplicateOf: first.id }]);
    });

    it("counts only leads created at or after dedupeSince", async () => {
      const old = newLead();
      await admit(store(), [old], T0);
      const atEdge = newLead({ identityKey: old.identityKey });
      expect(await admit(store(), [atEdge], T0 + 1000, T0)).toMatchObject([
        { state: "duplicate", duplicateOf: old.id },
      ]);
      const late = newLead({ identityKey: old.identityKey });
      expect(await admit(store(), [late], T0 + 5000, T0 + 1)).toMatchObject([
        { state: "duplicate", duplicateOf: atEdge.id },
      ]);
      const later = newLead({ identityKey: old.identityKey });
      expect(await admit(store(), [later], T0 + 9000, T0 + 5001)).toEqual([
        { id: later.id, state: "queued" },
      ]);
    });

    it("never counts a dead lead as the original", async () => {
      const dead = newLead();
      await admit(store(), [dead], T0);
      await killLead(store(), dead.id);
      const fresh = newLead({ identityKey: dead.identityKey });
      expect(await admit(store(), [fresh], T0 + 1)).toEqual([{ id: fresh.id, state: "queued" }]);
      const repeat = newLead({ identityKey: dead.identityKey });
      expect(await admit(store(), [repeat], T0 + 2)).toMatchObject([{ duplicateOf: fresh.id }]);
    });

    it("never counts a lead of another workspace", async () => {
      const first = newLead({ workspace: "one" });
      const second = newLead({ workspace: "two", identityKey: first.identityKey });
      expect(await admit(store(), [first, second])).toEqual([
        { id: first.id, state: "queued" },
        { id: second.id, state: "queued" },
      ]);
    });

    it("writes all of a batch or none of it", async () => {
      const good = newLead();
      const clash = newLead();
      await expect(admit(store(), [good, clash, { ...newLead(), id: clash.id }])).rejects.toThrow();
      expect(await store().leads.get(good.id)).toBeUndefined();
      expect(await store().leads.history(good.id)).toEqual([]);
      const counts = await store().leads.countByState();
      expect(Object.values(counts).every((count) => count === 0)).toBe(true);
    });

    it("admits a batch of hundreds (a CSV import) in order, deciding each lead as if it came alone", async () => {
      const earlier = newLead();
      await admit(store(), [earlier], T0);
      // 257 leads: past every multi-row statement size an adapter uses, with a remainder.
      const batch = Array.from({ length: 257 }, (_, index) =>
        index % 10 === 9 ? newLead({ identityKey: earlier.identityKey }) : newLead(),
      );
      const repeats = [5, 100, 256].map((index) =>
        newLead({ identityKey: batch[index]!.identityKey }),
      );
      const all = [...batch, ...repeats];
      const admissions = await admit(store(), all, T0 + 10);
      expect(admissions.map((admission) => admission.id)).toEqual(all.map((lead) => lead.id));
      const originalOf = (index: number) =>
        index >= batch.length ? batch[[5, 100, 256][index - batch.length]!]!.id : earlier.id;
      all.forEach((_lead, index) => {
        const repeat = index % 10 === 9 || index >= batch.length;
        expect(admissions[index]).toMatchObject(
          repeat ? { state: "duplicate", duplicateOf: originalOf(index) } : { state: "queued" },
        );
      });
      const inBatch = admissions.at(-1);
      if (inBatch?.state !== "duplicate") throw new Error("expected a duplicate");
      expect(inBatch.original).toMatchObject({
        id: batch[256]!.id,
        state: "queued",
        createdAt: T0 + 10,
      });
      expect(await store().leads.countByState()).toMatchObject({ queued: 233, duplicate: 28 });
      expect(await store().leads.history(repeats[1]!.id)).toEqual([
        { leadId: repeats[1]!.id, at: T0 + 10, from: null, to: "received", reason: null },
        {
          leadId: repeats[1]!.id,
          at: T0 + 10,
          from: "received",
          to: "duplicate",
          reason: `duplicate of ${batch[100]!.id}`,
        },
      ]);
      // A later batch finds the first of each person, never one of its duplicates.
      const later = newLead({ identityKey: batch[100]!.identityKey });
      expect(await admit(store(), [later], T0 + 20)).toMatchObject([
        { state: "duplicate", duplicateOf: batch[100]!.id },
      ]);
    });

    it("keeps the fields as they came, whatever characters they hold", async () => {
      const fields = {
        email: "zoë@example.com",
        note: 'a "quoted" \\ back\u0000slash, 😀, \u2028',
        employees: 12.5,
        verified: false,
        missing: null,
      };
      const lead = newLead({ fields, source: 'csv, "quoted"' });
      await admit(store(), [lead], T0);
      expect(await store().leads.get(lead.id)).toMatchObject({ fields, source: lead.source });
    });

    it("shows the admission steps first in the history of a lead that moved on", async () => {
      const id = await admitOne(store());
      await mustMove(store(), id, "queued", "sending", {}, T0 + 5);
      expect(
        (await store().leads.history(id)).map((event) => [event.from, event.to, event.at]),
      ).toEqual([
        [null, "received", T0],
        ["received", "queued", T0],
        ["queued", "sending", T0 + 5],
      ]);
    });

    it("lists the duplicates waiting for an original", async () => {
      const original = await admitOne(store());
      const lead = await store().leads.get(original);
      const repeats = [
        newLead({ identityKey: lead?.identityKey }),
        newLead({ identityKey: lead?.identityKey }),
      ];
      await admit(store(), repeats, T0 + 1);
      expect((await store().leads.duplicatesOf(original)).map((found) => found.id).sort()).toEqual(
        repeats.map((repeat) => repeat.id).sort(),
      );
      await mustMove(store(), repeats[0]!.id, "duplicate", "enriched", { result: { ok: true } });
      expect((await store().leads.duplicatesOf(original)).map((found) => found.id)).toEqual([
        repeats[1]!.id,
      ]);
      expect(await store().leads.duplicatesOf("nobody")).toEqual([]);
      const other = await admitOne(store());
      const otherRepeat = newLead({ identityKey: (await store().leads.get(other))?.identityKey });
      await admit(store(), [otherRepeat], T0 + 2);
      expect(
        (await store().leads.duplicatesOf([original, other, "nobody"])).map((found) => found.id),
      ).toEqual([repeats[1]!.id, otherRepeat.id]);
      expect(await store().leads.duplicatesOf([])).toEqual([]);
    });
    it("admits a lead a pre-send rule skipped as skipped, naming the rule, due at once", async () => {
      const lead = newLead({ skippedBy: "no_free_mail" });
      expect(await admit(store(), [lead], T0)).toEqual([
        { id: lead.id, state: "skipped", rule: "no_free_mail" },
      ]);
      const reason = 'skipped by enrichIf rule "no_free_mail"';
      expect(await store().leads.get(lead.id)).toMatchObject({
        state: "skipped",
        reason,
        availableAt: T0,
        duplicateOf: null,
        result: null,
      });
      expect(await store().leads.history(lead.id)).toEqual([
        { leadId: lead.id, at: T0, from: null, to: "received", reason: null },
        { leadId: lead.id, at: T0, from: "received", to: "skipped", reason },
      ]);
      expect((await store().leads.due("skipped", T0, 10)).map((due) => due.id)).toEqual([lead.id]);
      expect(await store().leads.due("skipped", T0 - 1, 10)).toEqual([]);
    });

    it("never takes a skipped lead as the original of a later lead of the same person", async () => {
      const skipped = newLead({ skippedBy: "students" });
      const sameBatch = newLead({ identityKey: skipped.identityKey });
      const repeat = newLead({ identityKey: skipped.identityKey });
      const admissions = await admit(store(), [skipped, sameBatch, repeat], T0);
      expect(admissions.map((admission) => admission.state)).toEqual([
        "skipped",
        "queued",
        "duplicate",
      ]);
      expect(admissions[2]).toMatchObject({ duplicateOf: sameBatch.id });

      const other = newLead({ skippedBy: "students" });
      await admit(store(), [other], T0);
      const later = newLead({ identityKey: other.identityKey });
      expect(await admit(store(), [later], T0 + 10)).toEqual([{ id: later.id, state: "queued" }]);
    });

    it("counts the leads of a state per workspace", async () => {
      await admit(store(), [
        newLead({ skippedBy: "r" }),
        newLead({ skippedBy: "r" }),
        newLead({ skippedBy: "r", workspace: "second" }),
        newLead(),
      ]);
      expect(await store().leads.countByWorkspace("skipped")).toEqual({ main: 2, second: 1 });
      expect(await store().leads.countByWorkspace("queued")).toEqual({ main: 1 });
      expect(await store().leads.countByWorkspace("dead")).toEqual({});
    });
  });
}
