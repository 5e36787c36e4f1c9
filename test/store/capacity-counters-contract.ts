/**
 * The behaviour every CapacityCounters adapter must show. Each adapter's test
 * file calls it with a factory for fresh, empty counters.
 */
import { describe, expect, it } from "vitest";
import type { CapacityCounters } from "../../src/store/capacity-counters.js";

export function describeCapacityCounters(
  name: string,
  open: () => Promise<CapacityCounters>,
): void {
  describe(`${name}: the CapacityCounters contract`, () => {
    it("counts 0 for a key never used", async () => {
      const counters = await open();
      expect(await counters.get("never")).toBe(0);
    });

    it("adds one to every claimed key", async () => {
      const counters = await open();
      expect(
        await counters.tryReserve([
          { key: "a", limit: 5 },
          { key: "b", limit: 5 },
        ]),
      ).toEqual({ ok: true });
      expect(await counters.tryReserve([{ key: "a", limit: 5 }])).toEqual({ ok: true });
      expect(await counters.get("a")).toBe(2);
      expect(await counters.get("b")).toBe(1);
    });

    it("lets a counter reach its limit and not pass it", async () => {
      const counters = await open();
      for (let i = 0; i < 3; i++)
        expect((await counters.tryReserve([{ key: "a", limit: 3 }])).ok).toBe(true);
      expect(await counters.tryReserve([{ key: "a", limit: 3 }])).toEqual({
        ok: false,
        exhaustedKey: "a",
      });
      expect(await counters.get("a")).toBe(3);
    });

    it("reserves all claims or none, naming the first full one", async () => {
      const counters = await open();
      await counters.tryReserve([{ key: "full", limit: 1 }]);
      const result = await counters.tryReserve([
        { key: "table", limit: 10 },
        { key: "full", limit: 1 },
        { key: "other", limit: 0 },
      ]);
      expect(result).toEqual({ ok: false, exhaustedKey: "full" });
      expect(await counters.get("table")).toBe(0);
      expect(await counters.get("full")).toBe(1);
      expect(await counters.get("other")).toBe(0);
    });

    it("gives a reservation back, never below zero, and the room can be reserved again", async () => {
      const counters = await open();
      const claims = [
        { key: "table", limit: 1 },
        { key: "webhook", limit: 1 },
      ];
      expect(await counters.tryReserve(claims)).toEqual({ ok: true });
      expect((await counters.tryReserve(claims)).ok).toBe(false);
      await counters.release(["table", "webhook"]);
      expect(await counters.get("table")).toBe(0);
      expect(await counters.get("webhook")).toBe(0);
      await counters.release(["table", "never"]);
      expect(await counters.get("table")).toBe(0);
      expect(await counters.get("never")).toBe(0);
      expect(await counters.tryReserve(claims)).toEqual({ ok: true });
    });

    it("counts a key claimed twice in one reservation twice", async () => {
      const counters = await open();
      expect(
        await counters.tryReserve([
          { key: "a", limit: 1 },
          { key: "a", limit: 1 },
        ]),
      ).toEqual({
        ok: false,
        exhaustedKey: "a",
      });
      expect(
        await counters.tryReserve([
          { key: "a", limit: 2 },
          { key: "a", limit: 2 },
        ]),
      ).toEqual({ ok: true });
      expect(await counters.get("a")).toBe(2);
    });

    it("never lets concurrent reservations pass a limit", async () => {
      const counters = await open();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          counters.tryReserve([
            { key: "table", limit: 25 },
            { key: index % 2 === 0 ? "even" : "odd", limit: 10 },
          ]),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(20);
      expect(await counters.get("even")).toBe(10);
      expect(await counters.get("odd")).toBe(10);
      expect(await counters.get("table")).toBe(20);
    });
  });
}
