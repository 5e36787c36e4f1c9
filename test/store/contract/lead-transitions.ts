/** Contract: `leads.transition` (compare-and-set with history), `claimDue` and `due`. */
import { describe, expect, it } from "vitest";
import {
  admit,
  admitOne,
  mustMove,
  newLead,
  type OpenStore,
  requeueAt,
  sendAndAwait,
  T0,
  useStore,
} from "./fixtures.js";

export function describeLeadTransitions(open: OpenStore): void {
  describe("leads.transition", () => {
    const store = useStore(open);

    it("moves a lead only from the state the caller names, recording each move", async () => {
      const id = await admitOne(store());
      expect(await store().leads.transition(id, "queued", "sending", {}, T0 + 1)).toBe(true);
      expect(await store().leads.transition(id, "queued", "sending", {}, T0 + 2)).toBe(false);
      expect(await store().leads.get(id)).toMatchObject({ state: "sending", updatedAt: T0 + 1 });
      expect((await store().leads.history(id)).slice(2)).toEqual([
        { leadId: id, at: T0 + 1, from: "queued", to: "sending", reason: null },
      ]);
    });

    it("accepts a list of states to move from", async () => {
      const id = await admitOne(store());
      expect(
        await store().leads.transition(
          id,
          ["retrying", "queued"],
          "dead",
          { reason: "send_failed" },
          T0,
        ),
      ).toBe(true);
      expect(await store().leads.get(id)).toMatchObject({ state: "dead", reason: "send_failed" });
      expect((await store().leads.history(id)).at(-1)).toEqual({
        leadId: id,
        at: T0,
        from: "queued",
        to: "dead",
        reason: "send_failed",
      });
      expect(await store().leads.transition(id, ["queued", "sending"], "dead")).toBe(false);
    });

    it("moves and reads a lead in one step, or answers undefined when it is not in the state named", async () => {
      const id = await admitOne(store());
      const moved = await store().leads.transitionAndRead(
        id,
        ["queued", "retrying"],
        "sending",
        { availableAt: T0 + 500, reason: null },
        T0 + 1,
      );
      expect(moved).toEqual(await store().leads.get(id));
      expect(moved).toMatchObject({
        id,
        state: "sending",
        availableAt: T0 + 500,
        updatedAt: T0 + 1,
      });
      expect((await store().leads.history(id)).at(-1)).toEqual({
        leadId: id,
        at: T0 + 1,
        from: "queued",
        to: "sending",
        reason: null,
      });
      expect(await store().leads.transitionAndRead(id, "queued", "sending", {}, T0 + 2)).toBe(
        undefined,
      );
      expect(await store().leads.transitionAndRead("missing", "queued", "sending")).toBe(undefined);
    });

    it("moves many leads in one step, each only from its own state, each with its patch", async () => {
      const [a, b, c] = [await admitOne(store()), await admitOne(store()), await admitOne(store())];
      await mustMove(store(), c, "queued", "dead", { reason: "send_failed" }, T0);
      const moved = await store().leads.transitionMany(
        [
          { id: a, from: ["retrying", "queued"], to: "sending", patch: { availableAt: T0 + 50 } },
          {
            id: b,
            from: "queued",
            to: "enriched",
            patch: { result: { title: "CTO" }, routes: ["hot"], reason: "callback received" },
          },
          { id: c, from: "queued", to: "sending" },
          { id: "missing", from: "queued", to: "sending" },
        ],
        T0 + 1,
      );
      expect(moved).toEqual(new Set([a, b]));
      expect(await store().leads.get(a)).toMatchObject({
        state: "sending",
        availableAt: T0 + 50,
        reason: null,
        updatedAt: T0 + 1,
      });
      expect(await store().leads.get(b)).toMatchObject({
        state: "enriched",
        result: { title: "CTO" },
        routes: ["hot"],
        reason: "callback received",
      });
      expect(await store().leads.get(c)).toMatchObject({ state: "dead", reason: "send_failed" });
      expect((await store().leads.history(b)).at(-1)).toEqual({
        leadId: b,
        at: T0 + 1,
        from: "queued",
        to: "enriched",
        reason: "callback received",
      });
      expect(await store().leads.transitionMany([], T0 + 2)).toEqual(new Set());
    });

    it("leases due enriched leads to one pass until the lease ends, state and history kept", async () => {
      const [a, b, queued] = [
        await admitOne(store()),
        await admitOne(store()),
        await admitOne(store()),
      ];
      for (const id of [a, b]) {
        await mustMove(
          store(),
          id,
          "queued",
          "enriched",
          { result: { ok: 1 }, availableAt: T0 },
          T0,
        );
      }
      const history = await store().leads.history(a);
      const leased = await store().leads.leaseEnriched(T0, 10, T0 + 100);
      expect(leased.map((lead) => lead.id).sort()).toEqual([a, b].sort());
      expect(leased[0]).toMatchObject({ state: "enriched", availableAt: T0 + 100 });
      expect(await store().leads.leaseEnriched(T0 + 99, 10, T0 + 200)).toEqual([]);
      expect(await store().leads.leaseEnriched(T0 + 100, 1, T0 + 200)).toHaveLength(1);
      expect(await store().leads.history(a)).toEqual(history);
      expect(await store().leads.get(queued)).toMatchObject({ state: "queued" });
    });

    it("tells when each lead first became enriched", async () => {
      const [twice, never] = [await admitOne(store()), await admitOne(store())];
      await mustMove(store(), twice, "queued", "sending", {}, T0 + 1);
      await mustMove(store(), twice, "sending", "enriched", {}, T0 + 2);
      await mustMove(store(), twice, "enriched", "delivered", {}, T0 + 3);
      await mustMove(store(), twice, "delivered", "enriched", {}, T0 + 4);
      expect(await store().leads.enrichedAt([twice, never, "missing"])).toEqual(
        new Map([[twice, T0 + 2]]),
      );
      expect(await store().leads.enrichedAt([])).toEqual(new Map());
    });

    it("answers false for a lead that does not exist", async () => {
      expect(await store().leads.transition("missing", "queued", "sending")).toBe(false);
    });

    it("applies the patch and leaves what it does not name", async () => {
      const id = await admitOne(store());
      await mustMove(store(), id, "queued", "sending", {}, T0 + 1);
      await mustMove(
        store(),
        id,
        "sending",
        "awaiting_callback",
        { attempt: 1, callbackDeadline: T0 + 60_000, availableAt: T0 + 7 },
        T0 + 2,
      );
      const result = { email: "a@b.co", title: "CTO", score: 9, nested: { ok: true } };
      await mustMove(
        store(),
        id,
        "awaiting_callback",
        "enriched",
        { result, routes: ["crm", "slack"], callbackDeadline: null },
        T0 + 3,
      );
      expect(await store().leads.get(id)).toMatchObject({
        state: "enriched",
        attempt: 1,
        availableAt: T0 + 7,
        callbackDeadline: null,
        result,
        routes: ["crm", "slack"],
        duplicateOf: null,
        updatedAt: T0 + 3,
        createdAt: T0,
      });
      await mustMove(store(), id, "enriched", "enriched", { routes: [] }, T0 + 4);
      expect(await store().leads.get(id)).toMatchObject({ result, routes: [] });
    });

    it("sets and clears duplicateOf and the result", async () => {
      const original = await admitOne(store());
      const lead = await store().leads.get(original);
      const duplicate = newLead({ identityKey: lead?.identityKey });
      await admit(store(), [duplicate], T0 + 1);
      await mustMove(store(), duplicate.id, "duplicate", "queued", {
        duplicateOf: null,
        reason: "original died",
      });
      expect(await store().leads.get(duplicate.id)).toMatchObject({
        duplicateOf: null,
        reason: "original died",
      });
      await mustMove(store(), duplicate.id, "queued", "dead", {
        reason: "no_callback",
        result: null,
      });
      expect(await store().leads.get(duplicate.id)).toMatchObject({ state: "dead", result: null });
    });

    it("moves a lead to another workspace and table when the patch names them", async () => {
      const id = await admitOne(store(), { workspace: "main", table: "people" });
      await mustMove(store(), id, "queued", "deferred", { table: "people2" });
      expect(await store().leads.get(id)).toMatchObject({ workspace: "main", table: "people2" });
      await mustMove(store(), id, "deferred", "queued", { workspace: "other", table: "t" });
      expect(await store().leads.get(id)).toMatchObject({ workspace: "other", table: "t" });
    });

    it("gives the new state no reason unless the patch has one", async () => {
      const id = await admitOne(store());
      await mustMove(store(), id, "queued", "deferred", { reason: "budget", availableAt: T0 + 10 });
      await mustMove(store(), id, "deferred", "queued");
      expect(await store().leads.get(id)).toMatchObject({
        state: "queued",
        reason: null,
        availableAt: T0 + 10,
      });
    });

    it("uses the current time when no time is given", async () => {
      const id = await admitOne(store());
      const before = Date.now();
      expect(await store().leads.transition(id, "queued", "sending")).toBe(true);
      const after = Date.now();
      const lead = await store().leads.get(id);
      expect(lead?.updatedAt).toBeGreaterThanOrEqual(before);
      expect(lead?.updatedAt).toBeLessThanOrEqual(after);
    });

    it("never stamps a move before the lead's previous one, whatever clock the caller read", async () => {
      // A duplicate served at once from its original: intake read its clock before the
      // grouped admit read its own, and processes of the queue tier have clocks of their own.
      const original = await admitOne(store(), {}, T0 + 5);
      const lead = newLead();
      await admit(store(), [lead], T0 + 10);
      await mustMove(store(), lead.id, "queued", "sending", {}, T0 + 9);
      await mustMove(store(), lead.id, "sending", "dead", { reason: "send_failed" }, T0 + 3);
      const times = (await store().leads.history(lead.id)).map((event) => event.at);
      expect(times).toEqual([T0 + 10, T0 + 10, T0 + 10, T0 + 10]);
      expect(await store().leads.get(lead.id)).toMatchObject({ updatedAt: T0 + 10 });

      await requeueAt(store(), original, T0, T0 + 5);
      const [claimed] = await store().leads.claimDue(1, T0 + 2);
      expect(claimed).toMatchObject({ id: original, updatedAt: T0 + 5 });
      expect((await store().leads.history(original)).map((event) => event.at)).toEqual(
        Array(5).fill(T0 + 5),
      );
    });

    it("lets exactly one of many racing transitions win", async () => {
      const id = await admitOne(store());
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          store().leads.transition(
            id,
            "queued",
            index % 2 === 0 ? "sending" : "dead",
            { reason: `r${index}` },
            T0 + index,
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().leads.history(id)).toHaveLength(3);
    });
  });

  describe("leads.claimDue", () => {
    const store = useStore(open);

    it("claims by priority, then availableAt, then age, moving each to sending", async () => {
      const late = newLead({ priority: 0 });
      const low = newLead({ priority: 5 });
      const early = newLead({ priority: 0 });
      const older = newLead({ priority: 1 });
      await admit(store(), [older], T0 - 100);
      await admit(store(), [late, low, early], T0);
      await requeueAt(store(), late.id, T0 + 50);
      await requeueAt(store(), early.id, T0 + 10);
      await requeueAt(store(), older.id, T0 + 10);
      const claimed = await store().leads.claimDue(10, T0 + 100);
      expect(claimed.map((lead) => lead.id)).toEqual([early.id, late.id, older.id, low.id]);
      for (const lead of claimed) {
        expect(lead.state).toBe("sending");
        expect(lead.updatedAt).toBe(T0 + 100);
        expect(await store().leads.get(lead.id)).toMatchObject({ state: "sending" });
        expect((await store().leads.history(lead.id)).at(-1)).toMatchObject({
          from: "queued",
          to: "sending",
          at: T0 + 100,
        });
      }
      expect(await store().leads.claimDue(10, T0 + 100)).toEqual([]);
    });

    it("breaks ties between same-time leads by creation time", async () => {
      const first = newLead();
      const second = newLead();
      await admit(store(), [second], T0 + 1);
      await admit(store(), [first], T0);
      await requeueAt(store(), first.id, T0 + 5);
      await requeueAt(store(), second.id, T0 + 5);
      expect((await store().leads.claimDue(2, T0 + 5)).map((lead) => lead.id)).toEqual([
        first.id,
        second.id,
      ]);
    });

    it("claims only leads whose time has come, up to the limit", async () => {
      const ids = [
        await admitOne(store(), {}, T0),
        await admitOne(store(), {}, T0 + 1),
        await admitOne(store(), {}, T0 + 2),
      ];
      await requeueAt(store(), ids[2]!, T0 + 1000);
      expect(await store().leads.claimDue(0, T0 + 2)).toEqual([]);
      expect((await store().leads.claimDue(1, T0 + 2)).map((lead) => lead.id)).toEqual([ids[0]]);
      expect((await store().leads.claimDue(5, T0 + 999)).map((lead) => lead.id)).toEqual([ids[1]]);
      expect((await store().leads.claimDue(5, T0 + 1000)).map((lead) => lead.id)).toEqual([ids[2]]);
    });

    it("claims retrying leads and no lead in any other state", async () => {
      const retry = await admitOne(store());
      await mustMove(store(), retry, "queued", "sending");
      await mustMove(store(), retry, "sending", "retrying", {
        availableAt: T0 + 30,
        reason: "clay 503",
      });
      const deferred = await admitOne(store());
      await mustMove(store(), deferred, "queued", "deferred", { availableAt: T0 });
      const duplicateOf = await store().leads.get(retry);
      await admit(store(), [newLead({ identityKey: duplicateOf?.identityKey })]);
      expect(await store().leads.claimDue(10, T0 + 29)).toEqual([]);
      const claimed = await store().leads.claimDue(10, T0 + 30);
      expect(claimed.map((lead) => lead.id)).toEqual([retry]);
      expect(claimed[0]).toMatchObject({ state: "sending", reason: null });
      expect((await store().leads.history(retry)).at(-1)).toMatchObject({
        from: "retrying",
        to: "sending",
      });
    });

    it("never hands one lead to two concurrent claims", async () => {
      const leads = Array.from({ length: 60 }, () => newLead());
      await admit(store(), leads);
      const batches = await Promise.all(
        Array.from({ length: 8 }, () => store().leads.claimDue(10, T0)),
      );
      const ids = batches.flat().map((lead) => lead.id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      for (const lead of leads) expect(await store().leads.history(lead.id)).toHaveLength(3);
    });
  });

  describe("leads.due", () => {
    const store = useStore(open);

    it("finds deferred leads by availableAt", async () => {
      const id = await admitOne(store());
      await mustMove(store(), id, "queued", "deferred", {
        availableAt: T0 + 1000,
        reason: "daily cap",
      });
      expect(await store().leads.due("deferred", T0 + 999, 10)).toEqual([]);
      expect(await store().leads.due("deferred", T0 + 1000, 10)).toMatchObject([
        { id, state: "deferred", reason: "daily cap" },
      ]);
    });

    it("finds awaiting_callback leads by their callback deadline", async () => {
      const id = await admitOne(store());
      await sendAndAwait(store(), id, T0 + 5000);
      expect(await store().leads.due("awaiting_callback", T0 + 4999, 10)).toEqual([]);
      expect(await store().leads.due("awaiting_callback", T0 + 5000, 10)).toMatchObject([
        { id, callbackDeadline: T0 + 5000 },
      ]);
    });

    it("finds leads caught in sending and enriched leads not yet routed", async () => {
      const sending = await admitOne(store());
      await mustMove(store(), sending, "queued", "sending");
      const enriched = await admitOne(store());
      await sendAndAwait(store(), enriched, T0 + 10);
      await mustMove(store(), enriched, "awaiting_callback", "enriched", { result: { a: 1 } });
      expect((await store().leads.due("sending", T0, 10)).map((lead) => lead.id)).toEqual([
        sending,
      ]);
      expect((await store().leads.due("enriched", T0, 10)).map((lead) => lead.id)).toEqual([
        enriched,
      ]);
      expect(await store().leads.due("received", T0, 10)).toEqual([]);
    });

    it("returns the earliest first, up to the limit", async () => {
      const ids = [await admitOne(store()), await admitOne(store()), await admitOne(store())];
      await mustMove(store(), ids[0]!, "queued", "deferred", { availableAt: T0 + 30 });
      await mustMove(store(), ids[1]!, "queued", "deferred", { availableAt: T0 + 10 });
      await mustMove(store(), ids[2]!, "queued", "deferred", { availableAt: T0 + 20 });
      expect((await store().leads.due("deferred", T0 + 100, 2)).map((lead) => lead.id)).toEqual([
        ids[1],
        ids[2],
      ]);
      expect(await store().leads.due("deferred", T0 + 100, 0)).toEqual([]);
    });
  });

  describe("leads.leaseDue", () => {
    const store = useStore(open);
    const lane = { workspace: "main", priority: 0, now: T0 + 10, until: T0 + 1000 };

    it("leases due queued and retrying leads of one workspace and lane, oldest first, once", async () => {
      const first = await admitOne(store(), {}, T0);
      const retrying = await admitOne(store(), {}, T0 + 1);
      await mustMove(store(), retrying, "queued", "sending", {}, T0 + 2);
      await mustMove(store(), retrying, "sending", "retrying", { availableAt: T0 + 5 }, T0 + 2);
      const later = await admitOne(store(), {}, T0 + 3);
      await requeueAt(store(), later, T0 + 50);
      await admitOne(store(), { priority: 5 }, T0);
      await admitOne(store(), { workspace: "other" }, T0);
      const sending = await admitOne(store(), {}, T0);
      await mustMove(store(), sending, "queued", "sending", {}, T0);

      expect(await store().leads.leaseDue({ ...lane, limit: 10 })).toEqual([first, retrying]);
      const otherLane = await store().leads.leaseDue({ ...lane, priority: undefined, limit: 10 });
      expect(otherLane).toHaveLength(1);
      expect(await store().leads.get(otherLane[0]!)).toMatchObject({ priority: 5 });
      expect(await store().leads.get(first)).toMatchObject({
        state: "queued",
        availableAt: T0 + 1000,
      });
      expect(await store().leads.get(retrying)).toMatchObject({ state: "retrying" });
      // Leased until T0 + 1000: nobody gets them again before then.
      expect(await store().leads.leaseDue({ ...lane, limit: 10, now: T0 + 999 })).toEqual([later]);
      expect(await store().leads.leaseDue({ ...lane, limit: 10, now: T0 + 1000 })).toEqual([
        first,
        retrying,
        later,
      ]);
    });

    it("takes at most `limit`, and gives racing feeders disjoint leads", async () => {
      for (let i = 0; i < 20; i++) await admitOne(store(), {}, T0 + i);
      expect(await store().leads.leaseDue({ ...lane, now: T0 + 100, limit: 3 })).toHaveLength(3);
      const leases = await Promise.all(
        Array.from({ length: 4 }, () =>
          store().leads.leaseDue({ ...lane, now: T0 + 100, limit: 5 }),
        ),
      );
      const ids = leases.flat();
      expect(ids).toHaveLength(17);
      expect(new Set(ids).size).toBe(17);
    });
  });
}
