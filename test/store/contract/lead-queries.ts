/** Contract: `leads.list` (filters and paging), `countByState`, `countWaiting` and `purge`. */
import { describe, expect, it } from "vitest";
import { LEAD_STATES } from "../../../src/core/lead-state.js";
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

export function describeLeadQueries(open: OpenStore): void {
  describe("leads.list", () => {
    const store = useStore(open);

    it("filters by state, reason, source and creation time", async () => {
      const web = await admitOne(store(), { source: "web" }, T0);
      const csvDead = await admitOne(store(), { source: "csv" }, T0 + 10);
      const webDead = await admitOne(store(), { source: "web" }, T0 + 20);
      const deferred = await admitOne(store(), { source: "csv" }, T0 + 30);
      await killLead(store(), csvDead, "no_callback");
      await killLead(store(), webDead, "send_failed");
      await mustMove(store(), deferred, "queued", "deferred", { availableAt: T0 + 99 });
      const ids = async (query: Parameters<ReturnType<typeof store>["leads"]["list"]>[0]) =>
        (await store().leads.list(query)).leads.map((lead) => lead.id);

      expect(await ids({})).toEqual([web, csvDead, webDead, deferred]);
      expect(await ids({ states: ["dead"] })).toEqual([csvDead, webDead]);
      expect(await ids({ states: ["dead", "deferred"] })).toEqual([csvDead, webDead, deferred]);
      expect(await ids({ states: [] })).toEqual([]);
      expect(await ids({ states: ["dead"], reason: "no_callback" })).toEqual([csvDead]);
      expect(await ids({ source: "web" })).toEqual([web, webDead]);
      expect(await ids({ states: ["dead"], source: "web" })).toEqual([webDead]);
      expect(await ids({ createdAfter: T0 + 10 })).toEqual([csvDead, webDead, deferred]);
      expect(await ids({ createdBefore: T0 + 20 })).toEqual([web, csvDead]);
      expect(await ids({ createdAfter: T0 + 10, createdBefore: T0 + 30 })).toEqual([
        csvDead,
        webDead,
      ]);
    });

    it("filters by reason prefix, table, and the time of the last move", async () => {
      const early = await admitOne(store(), { table: "people" }, T0);
      const late = await admitOne(store(), { table: "people2" }, T0 + 1);
      const other = await admitOne(store(), {}, T0 + 2);
      // Created first, died last: a DLQ filtered on when leads died must see the difference.
      await killLead(store(), late, "send_failed", T0 + 100);
      await killLead(store(), early, "send_failed", T0 + 300);
      await mustMove(store(), other, "queued", "deferred", { reason: "credit cap day" }, T0 + 200);
      const ids = async (query: Parameters<ReturnType<typeof store>["leads"]["list"]>[0]) =>
        (await store().leads.list(query)).leads.map((lead) => lead.id);

      expect(await ids({ updatedAfter: T0 + 200 })).toEqual([early, other]);
      expect(await ids({ states: ["dead"], updatedBefore: T0 + 300 })).toEqual([late]);
      expect(await ids({ updatedAfter: T0 + 100, updatedBefore: T0 + 201 })).toEqual([late, other]);
      expect(await ids({ reasonPrefix: "credit cap " })).toEqual([other]);
      expect(await ids({ reasonPrefix: "credit cap week" })).toEqual([]);
      expect(await ids({ reasonPrefix: "send_" })).toEqual([early, late]);
      expect(await ids({ table: "people2" })).toEqual([late]);
    });

    it("filters by lead ids, with the other filters", async () => {
      const first = await admitOne(store(), { source: "web" }, T0);
      const second = await admitOne(store(), { source: "csv" }, T0 + 1);
      const third = await admitOne(store(), { source: "web" }, T0 + 2);
      await killLead(store(), second, "send_failed");
      await killLead(store(), third, "send_failed");
      const ids = async (query: Parameters<ReturnType<typeof store>["leads"]["list"]>[0]) =>
        (await store().leads.list(query)).leads.map((lead) => lead.id);

      expect(await ids({ ids: [third, first] })).toEqual([first, third]);
      expect(await ids({ ids: [first, second, third], states: ["dead"] })).toEqual([second, third]);
      expect(await ids({ ids: [second, third], source: "web" })).toEqual([third]);
      expect(await ids({ ids: ["no-such-lead"] })).toEqual([]);
      expect(await ids({ ids: [] })).toEqual([]);
    });

    it("pages through every lead once, in a stable order, even as leads arrive", async () => {
      const batch = Array.from({ length: 7 }, () => newLead());
      await admit(store(), batch.slice(0, 4), T0);
      await admit(store(), batch.slice(4), T0 + 1);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store().leads.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.leads.map((lead) => lead.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
        // A lead created after the listing began lands after everything already seen.
        if (pages === 1) await admit(store(), [newLead()], T0 + 2);
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(8);
      expect(new Set(seen).size).toBe(8);
      const all = (await store().leads.list({ limit: 100 })).leads;
      expect(seen).toEqual(all.map((lead) => lead.id));
      const keys = all.map((lead) => [lead.createdAt, lead.id] as const);
      const sorted = [...keys].sort(
        (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
      );
      expect(keys).toEqual(sorted);
    });

    it("returns no cursor when the page holds the rest", async () => {
      await admit(store(), [newLead(), newLead()]);
      expect((await store().leads.list({ limit: 2 })).nextCursor).toBeNull();
      expect((await store().leads.list({ limit: 1 })).nextCursor).not.toBeNull();
      expect(await store().leads.list({})).toMatchObject({ nextCursor: null });
    });

    it("returns 100 leads a page unless told otherwise", async () => {
      await admit(
        store(),
        Array.from({ length: 101 }, () => newLead()),
      );
      const page = await store().leads.list({});
      expect(page.leads).toHaveLength(100);
      expect(page.nextCursor).not.toBeNull();
    });

    it("refuses a cursor it did not hand out", async () => {
      await expect(store().leads.list({ cursor: "not-a-cursor" })).rejects.toMatchObject({
        code: "input_invalid",
      });
    });
  });

  describe("leads.countByState", () => {
    const store = useStore(open);

    it("counts every state, 0 for those with no lead", async () => {
      const empty = await store().leads.countByState();
      expect(Object.keys(empty).sort()).toEqual([...LEAD_STATES].sort());
      expect(Object.values(empty).every((count) => count === 0)).toBe(true);

      const first = newLead();
      await admit(store(), [
        first,
        newLead({ identityKey: first.identityKey }),
        newLead(),
        newLead(),
      ]);
      const dead = await admitOne(store());
      await killLead(store(), dead);
      await store().leads.claimDue(1, T0);
      expect(await store().leads.countByState()).toEqual({
        ...empty,
        queued: 2,
        sending: 1,
        duplicate: 1,
        dead: 1,
      });
    });
  });

  describe("leads.countWaiting", () => {
    const store = useStore(open);

    it("counts the leads of a state whose reason starts with a prefix, per time they resume", async () => {
      expect(await store().leads.countWaiting("deferred", "credit cap ")).toEqual([]);
      const [a, b, c, d] = [
        await admitOne(store()),
        await admitOne(store()),
        await admitOne(store()),
        await admitOne(store()),
      ];
      const defer = (id: string, reason: string, availableAt: number) =>
        mustMove(store(), id, "queued", "deferred", { reason, availableAt });
      await defer(a!, "credit cap workspace:main day 2023-11-14 reached (data 10/10)", T0 + 500);
      await defer(b!, "credit cap source:api day 2023-11-14 reached (data 5/5)", T0 + 500);
      await defer(c!, "credit cap workspace:main month 2023-11 reached (data 9/9)", T0 + 90);
      await defer(d!, "no capacity: table full", T0 + 10);
      expect(await store().leads.countWaiting("deferred", "credit cap ")).toEqual([
        { availableAt: T0 + 90, count: 1 },
        { availableAt: T0 + 500, count: 2 },
      ]);
      expect(await store().leads.countWaiting("dead", "credit cap ")).toEqual([]);
    });
  });

  describe("leads.purge", () => {
    const store = useStore(open);

    it("removes dead leads with their history and deliveries, and nothing else", async () => {
      const dead = await admitOne(store());
      const alive = await admitOne(store());
      await store().deliveries.schedule(
        [
          { leadId: dead, sink: "crm", route: "all" },
          { leadId: alive, sink: "crm", route: "all" },
        ],
        T0,
      );
      await killLead(store(), dead);
      expect(await store().leads.purge([dead, alive, "unknown"])).toBe(1);
      expect(await store().leads.get(dead)).toBeUndefined();
      expect(await store().leads.history(dead)).toEqual([]);
      expect(await store().deliveries.forLead(dead)).toEqual([]);
      expect(await store().leads.get(alive)).toMatchObject({ state: "queued" });
      expect(await store().deliveries.forLead(alive)).toHaveLength(1);
      expect(await store().leads.purge([dead])).toBe(0);
      expect(await store().leads.purge([])).toBe(0);
    });

    it("keeps a duplicate whose dead original is purged", async () => {
      const original = newLead();
      const repeat = newLead({ identityKey: original.identityKey });
      await admit(store(), [original, repeat]);
      await killLead(store(), original.id);
      expect(await store().leads.purge([original.id])).toBe(1);
      expect(await store().leads.get(repeat.id)).toMatchObject({
        state: "duplicate",
        duplicateOf: original.id,
      });
    });
  });
}
