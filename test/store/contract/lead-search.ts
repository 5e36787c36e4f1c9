/** Contract: the searches of `leads.list` (identity key, overdue callbacks, a bounded partial match). */
import { describe, expect, it } from "vitest";
import type { LeadListQuery } from "../../../src/store/lead-store.js";
import {
  admitOne,
  mustMove,
  newLead,
  type OpenStore,
  sendAndAwait,
  T0,
  useStore,
} from "./fixtures.js";

export function describeLeadSearch(open: OpenStore): void {
  describe("leads.list searches", () => {
    const store = useStore(open);
    const ids = async (query: LeadListQuery) =>
      (await store().leads.list(query)).leads.map((lead) => lead.id);

    it("finds the leads of one identity key, with the other filters", async () => {
      const first = await admitOne(
        store(),
        { identityKey: "email:ann@example.com", workspace: "a" },
        T0,
      );
      const other = await admitOne(store(), {}, T0 + 1);
      const again = await admitOne(
        store(),
        { identityKey: "email:ann@example.com", workspace: "b", source: "csv" },
        T0 + 2,
      );
      expect(await ids({ identityKey: "email:ann@example.com" })).toEqual([first, again]);
      expect(await ids({ identityKey: "email:ann@example.com", source: "csv" })).toEqual([again]);
      expect(await ids({ identityKey: "email:nobody@example.com" })).toEqual([]);
      expect(other).toBeDefined();
    });

    it("finds leads awaiting a callback whose deadline passed", async () => {
      const late = await admitOne(store(), {}, T0);
      const onTime = await admitOne(store(), {}, T0 + 1);
      const later = await admitOne(store(), {}, T0 + 2);
      const queued = await admitOne(store(), {}, T0 + 3);
      await sendAndAwait(store(), late, T0 + 100);
      await sendAndAwait(store(), onTime, T0 + 900);
      await sendAndAwait(store(), later, T0 + 200);
      expect(await ids({ callbackDeadlineBefore: T0 + 500 })).toEqual([late, later]);
      expect(await ids({ callbackDeadlineBefore: T0 + 200 })).toEqual([late]);
      expect(await ids({ callbackDeadlineBefore: T0 + 500, limit: 1 })).toEqual([late]);
      // A lead that left awaiting_callback is not overdue whatever deadline it kept.
      await mustMove(store(), late, "awaiting_callback", "enriched", {}, T0 + 50);
      expect(await ids({ callbackDeadlineBefore: T0 + 500 })).toEqual([later]);
      expect(queued).toBeDefined();
    });

    it("matches part of a field ignoring ASCII case, in the lead or its result", async () => {
      const acme = await admitOne(
        store(),
        { fields: { email: "a@x.io", company: "ACME Corp" } },
        T0,
      );
      const globex = await admitOne(
        store(),
        { fields: { email: "b@x.io", company: "Globex" } },
        T0 + 1,
      );
      const percent = await admitOne(
        store(),
        { fields: { email: "c@x.io", company: "100% _Acme" } },
        T0 + 2,
      );
      await mustMove(store(), globex, "queued", "enriched", { result: { industry: "Energy" } });
      const match = (field: string, text: string, extra: Partial<LeadListQuery["match"]> = {}) =>
        ids({ match: { field, text, ...extra } });
      expect(await match("company", "acme")).toEqual([acme, percent]);
      // Wildcards of LIKE mean themselves.
      expect(await match("company", "% _")).toEqual([percent]);
      expect(await match("company", "_")).toEqual([percent]);
      expect(await match("company", "initech")).toEqual([]);
      expect(await match("industry", "ENERGY", { in: "result" })).toEqual([globex]);
      expect(await match("industry", "energy")).toEqual([]);
      expect(await ids({ match: { field: "company", text: "acme" }, source: "none" })).toEqual([]);
    });

    it("scans a bounded window a page and hands out a cursor to go on, even with no hit", async () => {
      const leads = Array.from({ length: 7 }, (_, i) =>
        newLead({
          fields: { email: `p${i}@x.io`, company: i === 5 || i === 6 ? "Hit Inc" : "Miss" },
        }),
      );
      for (const [i, lead] of leads.entries())
        await store().leads.admit([lead], { dedupeSince: 0, now: T0 + i });
      const query = { match: { field: "company", text: "hit", scan: 3 }, limit: 1 };
      const first = await store().leads.list(query);
      expect(first.leads).toEqual([]);
      expect(first.nextCursor).not.toBeNull();
      const second = await store().leads.list({ ...query, cursor: first.nextCursor! });
      expect(second.leads.map((lead) => lead.id)).toEqual([leads[5]!.id]);
      expect(second.nextCursor).not.toBeNull();
      const third = await store().leads.list({ ...query, cursor: second.nextCursor! });
      expect(third.leads.map((lead) => lead.id)).toEqual([leads[6]!.id]);
      expect(third.nextCursor).toBeNull();
    });

    it("refuses a match on something that is not a field name, or text too long", async () => {
      for (const match of [
        { field: "company') OR 1=1 --", text: "x" },
        { field: "company", text: "" },
        { field: "company", text: "x".repeat(201) },
      ]) {
        await expect(store().leads.list({ match })).rejects.toMatchObject({
          code: "input_invalid",
        });
      }
    });
  });
}
