/** Contract: the DLQ's dead deliveries — paged by when they died, filtered, and counted. */
import { describe, expect, it } from "vitest";
import type { DeadDeliveryQuery } from "../../../src/store/delivery-store.js";
import { admitOne, type OpenStore, T0, useStore } from "./fixtures.js";

export function describeDeadDeliveries(open: OpenStore): void {
  describe("dead deliveries", () => {
    const store = useStore(open);

    /** Leads a (api) and b (web); a dies on crm then file, b on crm; a delivery to file of b stays pending. */
    async function someDead() {
      const a = await admitOne(store(), { source: "api" });
      const b = await admitOne(store(), { source: "web" });
      await store().deliveries.schedule(
        [
          { leadId: a, sink: "crm", route: "r" },
          { leadId: a, sink: "file", route: "r" },
          { leadId: b, sink: "crm", route: "r" },
          { leadId: b, sink: "file", route: "r" },
        ],
        T0,
      );
      await store().deliveries.markFailed(a, "crm", "HTTP 503 from crm", null, T0 + 10);
      await store().deliveries.markFailed(a, "file", "disk full", null, T0 + 20);
      await store().deliveries.markFailed(b, "crm", "HTTP 400 bad email", null, T0 + 30);
      await store().deliveries.markFailed(b, "file", "disk full", T0 + 99, T0 + 31);
      return { a, b };
    }

    const listed = async (query: DeadDeliveryQuery) =>
      (await store().deliveries.listDead(query)).deliveries.map((d) => `${d.leadId}/${d.sink}`);

    it("lists dead deliveries oldest death first, and counts them", async () => {
      const { a, b } = await someDead();
      const page = await store().deliveries.listDead({});
      expect(page.nextCursor).toBeNull();
      expect(page.deliveries.map((d) => `${d.leadId}/${d.sink}`)).toEqual([
        `${a}/crm`,
        `${a}/file`,
        `${b}/crm`,
      ]);
      expect(page.deliveries[2]).toMatchObject({
        state: "dead",
        lastError: "HTTP 400 bad email",
        updatedAt: T0 + 30,
      });
      expect(await store().deliveries.countDead()).toBe(3);
    });

    it("filters by sink, words of the last error, the lead's source and when they died", async () => {
      const { a, b } = await someDead();
      expect(await listed({ sink: "crm" })).toEqual([`${a}/crm`, `${b}/crm`]);
      expect(await listed({ errorContains: "HTTP" })).toEqual([`${a}/crm`, `${b}/crm`]);
      expect(await listed({ errorContains: "disk full", sink: "crm" })).toEqual([]);
      expect(await listed({ source: "web" })).toEqual([`${b}/crm`]);
      expect(await listed({ diedAfter: T0 + 20 })).toEqual([`${a}/file`, `${b}/crm`]);
      expect(await listed({ diedBefore: T0 + 20 })).toEqual([`${a}/crm`]);
      expect(await listed({ source: "nowhere" })).toEqual([]);
    });

    it("pages with a cursor that keeps its place as more die", async () => {
      const { a, b } = await someDead();
      const first = await store().deliveries.listDead({ limit: 2 });
      expect(first.deliveries.map((d) => d.sink)).toEqual(["crm", "file"]);
      expect(first.nextCursor).not.toBeNull();
      await store().deliveries.markFailed(b, "file", "disk full", null, T0 + 40);
      const second = await store().deliveries.listDead({
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second.deliveries.map((d) => `${d.leadId}/${d.sink}`)).toEqual([
        `${b}/crm`,
        `${b}/file`,
      ]);
      const third = await store().deliveries.listDead({ limit: 2, cursor: second.nextCursor! });
      expect(third).toEqual({ deliveries: [], nextCursor: null });
      expect(a).not.toBe(b);
      await expect(store().deliveries.listDead({ cursor: "not-a-cursor" })).rejects.toMatchObject({
        code: "input_invalid",
      });
    });

    it("leaves revived deliveries out of the list and the count", async () => {
      const { a } = await someDead();
      await store().deliveries.revive({ sink: "crm", leadIds: [a] }, T0 + 50);
      expect(await listed({ sink: "crm" })).toHaveLength(1);
      expect(await store().deliveries.countDead()).toBe(2);
    });
  });
}
