/** Contract: the credit ledger — reservation across caps, settle, release, saved credits. */
import { describe, expect, it } from "vitest";
import type { CreditCap } from "../../../src/store/store.js";
import { type OpenStore, T0, useStore } from "./fixtures.js";

const day = (limit: CreditCap["limit"], scope = "workspace:main"): CreditCap => ({
  scope,
  window: "day:2026-11-25",
  limit,
});
const month = (limit: CreditCap["limit"], scope = "workspace:main"): CreditCap => ({
  scope,
  window: "month:2026-11",
  limit,
});

export function describeCreditLedger(open: OpenStore): void {
  describe("ledger", () => {
    const store = useStore(open);

    it("reserves against every cap and counts it in each", async () => {
      const caps = [day({ actions: 100, data: 100 }), month({ data: 1000 }), day({}, "source:web")];
      expect(await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0)).toEqual({
        ok: true,
      });
      expect(await store().ledger.reserve("b", { actions: 1, data: 2.5 }, caps, T0)).toEqual({
        ok: true,
      });
      for (const cap of caps) {
        expect(await store().ledger.used(cap.scope, cap.window)).toEqual({
          actions: 5,
          data: 12.5,
        });
      }
      expect(await store().ledger.used("workspace:other", "day:2026-11-25")).toEqual({
        actions: 0,
        data: 0,
      });
    });

    it("allows reaching a limit exactly and refuses one credit over, reserving nothing", async () => {
      const caps = [month({ data: 1000 }), day({ actions: 10, data: 20 })];
      expect(await store().ledger.reserve("a", { actions: 6, data: 12 }, caps, T0)).toEqual({
        ok: true,
      });
      expect(await store().ledger.reserve("b", { actions: 4, data: 8 }, caps, T0)).toEqual({
        ok: true,
      });
      const refused = await store().ledger.reserve("c", { actions: 0, data: 1 }, caps, T0);
      expect(refused).toEqual({ ok: false, cap: caps[1], used: { actions: 10, data: 20 } });
      expect(await store().ledger.used("workspace:main", "month:2026-11")).toEqual({
        actions: 10,
        data: 20,
      });
      // Releasing a refused lead changes nothing: it holds no reservation.
      await store().ledger.release("c", T0);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 10,
        data: 20,
      });
    });

    it("adds fractions of a credit without drifting past a limit", async () => {
      const caps = [day({ data: 0.3 })];
      expect(await store().ledger.reserve("a", { actions: 0, data: 0.1 }, caps, T0)).toEqual({
        ok: true,
      });
      expect(await store().ledger.reserve("b", { actions: 0, data: 0.2 }, caps, T0)).toEqual({
        ok: true,
      });
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 0,
        data: 0.3,
      });
      expect((await store().ledger.reserve("c", { actions: 0, data: 0.001 }, caps, T0)).ok).toBe(
        false,
      );
    });

    it("settles a reservation to the real cost, once", async () => {
      const caps = [day({ data: 100 }), month({ data: 1000 })];
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0);
      await store().ledger.settle("a", { actions: 3, data: 6.5 }, T0 + 1);
      await store().ledger.settle("a", { actions: 3, data: 6.5 }, T0 + 2);
      await store().ledger.settle("a", { actions: 9, data: 99 }, T0 + 3);
      await store().ledger.release("a", T0 + 4);
      for (const cap of caps) {
        expect(await store().ledger.used(cap.scope, cap.window)).toEqual({ actions: 3, data: 6.5 });
      }
    });

    it("releases a reservation, once", async () => {
      const caps = [day({ data: 100 })];
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0);
      await store().ledger.reserve("b", { actions: 1, data: 1 }, caps, T0);
      await store().ledger.release("a", T0 + 1);
      await store().ledger.release("a", T0 + 2);
      await store().ledger.release("never-reserved", T0 + 2);
      await store().ledger.settle("never-reserved", { actions: 1, data: 1 }, T0 + 2);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 1,
        data: 1,
      });
    });

    it("counts a late callback's real cost after its reservation was released", async () => {
      const caps = [day({ data: 100 })];
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0);
      await store().ledger.release("a", T0 + 1);
      await store().ledger.settle("a", { actions: 2, data: 7 }, T0 + 2);
      await store().ledger.settle("a", { actions: 2, data: 7 }, T0 + 3);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 2,
        data: 7,
      });
    });

    it("replaces an open reservation when the same lead is reserved again", async () => {
      const caps = [day({ data: 15 })];
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0);
      expect(await store().ledger.reserve("a", { actions: 4, data: 12 }, caps, T0 + 1)).toEqual({
        ok: true,
      });
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 4,
        data: 12,
      });
      // A refused replacement keeps the reservation that was there.
      expect((await store().ledger.reserve("a", { actions: 4, data: 16 }, caps, T0 + 2)).ok).toBe(
        false,
      );
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 4,
        data: 12,
      });
      await store().ledger.release("a", T0 + 3);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 0,
        data: 0,
      });
    });

    it("adds a new send to what an earlier, settled send cost", async () => {
      const caps = [day({ data: 100 })];
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0);
      await store().ledger.settle("a", { actions: 2, data: 5 }, T0 + 1);
      await store().ledger.reserve("a", { actions: 4, data: 10 }, caps, T0 + 2);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 6,
        data: 15,
      });
    });

    it("never lets concurrent reservations pass a cap", async () => {
      const caps = [day({ data: 10 }), month({}, "source:web")];
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          store().ledger.reserve(`lead-${index}`, { actions: 1, data: 1 }, caps, T0),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(10);
      expect(await store().ledger.used("workspace:main", "day:2026-11-25")).toEqual({
        actions: 10,
        data: 10,
      });
      expect(await store().ledger.used("source:web", "month:2026-11")).toEqual({
        actions: 10,
        data: 10,
      });
    });

    it("counts credits saved by deduplication, once per lead", async () => {
      expect(await store().ledger.saved()).toEqual({ actions: 0, data: 0 });
      await store().ledger.recordSaved("dup-1", { actions: 4, data: 10 }, T0);
      await store().ledger.recordSaved("dup-2", { actions: 4, data: 0.5 }, T0);
      await store().ledger.recordSaved("dup-1", { actions: 4, data: 10 }, T0 + 1);
      expect(await store().ledger.saved()).toEqual({ actions: 8, data: 10.5 });
    });
  });
}
