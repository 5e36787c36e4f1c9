/** Contract: sink deliveries — scheduling, due work, failures, dead letters and revival. */
import { describe, expect, it } from "vitest";
import { admitOne, killLead, type OpenStore, T0, useStore } from "./fixtures.js";

export function describeDeliveries(open: OpenStore): void {
  describe("deliveries", () => {
    const store = useStore(open);

    it("schedules one pending delivery per (lead, sink), leaving an existing pair alone", async () => {
      const lead = await admitOne(store());
      await store().deliveries.schedule(
        [
          { leadId: lead, sink: "hubspot", route: "sales" },
          { leadId: lead, sink: "file", route: "all" },
        ],
        T0,
      );
      await store().deliveries.markDelivered(lead, "hubspot", T0 + 1);
      await store().deliveries.schedule(
        [
          { leadId: lead, sink: "hubspot", route: "other" },
          { leadId: lead, sink: "hubspot", route: "other" },
        ],
        T0 + 2,
      );
      await store().deliveries.schedule([], T0 + 2);
      expect(await store().deliveries.forLead(lead)).toEqual([
        {
          leadId: lead,
          sink: "file",
          route: "all",
          state: "pending",
          attempts: 0,
          lastError: null,
          availableAt: T0,
          updatedAt: T0,
        },
        {
          leadId: lead,
          sink: "hubspot",
          route: "sales",
          state: "delivered",
          attempts: 1,
          lastError: null,
          availableAt: T0,
          updatedAt: T0 + 1,
        },
      ]);
      expect(await store().deliveries.forLead("nobody")).toEqual([]);
    });

    it("hands out a sink's due deliveries oldest first, up to the limit", async () => {
      const leads = [await admitOne(store()), await admitOne(store()), await admitOne(store())];
      await store().deliveries.schedule([{ leadId: leads[1]!, sink: "crm", route: "r" }], T0);
      await store().deliveries.schedule([{ leadId: leads[0]!, sink: "crm", route: "r" }], T0 + 1);
      await store().deliveries.schedule([{ leadId: leads[2]!, sink: "crm", route: "r" }], T0 + 2);
      await store().deliveries.schedule([{ leadId: leads[0]!, sink: "file", route: "r" }], T0);
      expect(
        (await store().deliveries.lease("crm", T0 + 1, 10, T0 + 1)).map((d) => d.leadId),
      ).toEqual([leads[1], leads[0]]);
      expect(
        (await store().deliveries.lease("crm", T0 + 5, 2, T0 + 5)).map((d) => d.leadId),
      ).toEqual([leads[1], leads[0]]);
      expect(await store().deliveries.lease("crm", T0 + 5, 0, T0 + 5)).toEqual([]);
      expect(
        (await store().deliveries.lease("file", T0 + 5, 10, T0 + 5)).map((d) => d.sink),
      ).toEqual(["file"]);
      expect(await store().deliveries.lease("nowhere", T0 + 5, 10, T0 + 5)).toEqual([]);
    });

    it("retries a failed delivery at its time, and dead-letters it when told", async () => {
      const lead = await admitOne(store());
      await store().deliveries.schedule([{ leadId: lead, sink: "crm", route: "r" }], T0);
      await store().deliveries.markFailed(lead, "crm", "HTTP 503", T0 + 100, T0 + 1);
      expect(await store().deliveries.forLead(lead)).toMatchObject([
        {
          state: "pending",
          attempts: 1,
          lastError: "HTTP 503",
          availableAt: T0 + 100,
          updatedAt: T0 + 1,
        },
      ]);
      expect(await store().deliveries.lease("crm", T0 + 99, 10, T0 + 99)).toEqual([]);
      expect(await store().deliveries.lease("crm", T0 + 100, 10, T0 + 100)).toHaveLength(1);
      await store().deliveries.markFailed(lead, "crm", "HTTP 400: bad email", null, T0 + 101);
      expect(await store().deliveries.forLead(lead)).toMatchObject([
        { state: "dead", attempts: 2, lastError: "HTTP 400: bad email", updatedAt: T0 + 101 },
      ]);
      expect(await store().deliveries.lease("crm", T0 + 1000, 10, T0 + 1000)).toEqual([]);
      // A late worker cannot bring a dead letter back or count it delivered.
      await store().deliveries.markDelivered(lead, "crm", T0 + 102);
      await store().deliveries.markFailed(lead, "crm", "late", T0 + 200, T0 + 103);
      expect(await store().deliveries.forLead(lead)).toMatchObject([
        { state: "dead", attempts: 2, lastError: "HTTP 400: bad email" },
      ]);
    });

    it("counts a delivery once", async () => {
      const lead = await admitOne(store());
      await store().deliveries.schedule([{ leadId: lead, sink: "crm", route: "r" }], T0);
      await store().deliveries.markDelivered(lead, "crm", T0 + 1);
      await store().deliveries.markDelivered(lead, "crm", T0 + 2);
      expect(await store().deliveries.forLead(lead)).toMatchObject([
        { state: "delivered", attempts: 1, updatedAt: T0 + 1 },
      ]);
    });

    it("marks a batch of leads' deliveries to one sink delivered at once, pending ones only", async () => {
      const [a, b, c] = [await admitOne(store()), await admitOne(store()), await admitOne(store())];
      await store().deliveries.schedule(
        [a, b, c].map((leadId) => ({ leadId, sink: "crm", route: "r" })),
        T0,
      );
      await store().deliveries.schedule([{ leadId: a, sink: "sheet", route: "r" }], T0);
      await store().deliveries.markFailed(c, "crm", "HTTP 400", null, T0 + 1);
      await store().deliveries.markDelivered([a, b, c], "crm", T0 + 2);
      expect(
        (await store().deliveries.settledLeads([a, b, c]))
          .get(b)
          ?.map((delivery) => delivery.state),
      ).toEqual(["delivered"]);
      expect((await store().deliveries.forLead(a)).map((d) => [d.sink, d.state])).toEqual([
        ["crm", "delivered"],
        ["sheet", "pending"],
      ]);
      expect((await store().deliveries.forLead(c))[0]?.state).toBe("dead");
      expect(await store().deliveries.countDelivered()).toBe(2);
      await store().deliveries.markDelivered([], "crm", T0 + 3);
    });

    it("counts each delivery that became delivered once, as a running total", async () => {
      const [a, b] = [await admitOne(store()), await admitOne(store())];
      expect(await store().deliveries.countDelivered()).toBe(0);
      await store().deliveries.schedule(
        [
          { leadId: a, sink: "crm", route: "r" },
          { leadId: a, sink: "sheet", route: "r" },
          { leadId: b, sink: "crm", route: "r" },
        ],
        T0,
      );
      await store().deliveries.markDelivered(a, "crm", T0 + 1);
      await store().deliveries.markDelivered(a, "crm", T0 + 2);
      await store().deliveries.markDelivered(a, "sheet", T0 + 2);
      await store().deliveries.markFailed(b, "crm", "HTTP 400", null, T0 + 3);
      expect(await store().deliveries.countDelivered()).toBe(2);
      // A dead delivery revived and then delivered counts too.
      await store().deliveries.revive({ leadIds: [b] }, T0 + 4);
      await store().deliveries.markDelivered(b, "crm", T0 + 5);
      expect(await store().deliveries.countDelivered()).toBe(3);
      // A running total: purging a dead lead with a delivered delivery takes nothing off.
      const dead = await admitOne(store());
      await store().deliveries.schedule([{ leadId: dead, sink: "crm", route: "r" }], T0);
      await store().deliveries.markDelivered(dead, "crm", T0 + 6);
      await killLead(store(), dead);
      expect(await store().leads.purge([dead])).toBe(1);
      expect(await store().deliveries.forLead(dead)).toEqual([]);
      expect(await store().deliveries.countDelivered()).toBe(4);
    });

    it("lists dead deliveries, of one sink or all", async () => {
      const [a, b] = [await admitOne(store()), await admitOne(store())];
      await store().deliveries.schedule(
        [
          { leadId: a, sink: "crm", route: "r" },
          { leadId: b, sink: "crm", route: "r" },
          { leadId: a, sink: "file", route: "r" },
        ],
        T0,
      );
      await store().deliveries.markFailed(a, "crm", "boom", null, T0 + 1);
      await store().deliveries.markFailed(a, "file", "full", null, T0 + 2);
      expect((await store().deliveries.dead()).map((d) => `${d.leadId}/${d.sink}`)).toEqual([
        `${a}/crm`,
        `${a}/file`,
      ]);
      expect((await store().deliveries.dead("file")).map((d) => d.lastError)).toEqual(["full"]);
      expect(await store().deliveries.dead("crm", 0)).toEqual([]);
      expect(await store().deliveries.dead(undefined, 1)).toHaveLength(1);
    });

    it("revives dead deliveries by sink or by lead, due now with a fresh count of tries", async () => {
      const [a, b] = [await admitOne(store()), await admitOne(store())];
      await store().deliveries.schedule(
        [
          { leadId: a, sink: "crm", route: "r" },
          { leadId: b, sink: "crm", route: "r" },
          { leadId: a, sink: "file", route: "r" },
        ],
        T0,
      );
      for (const [lead, sink] of [
        [a, "crm"],
        [b, "crm"],
        [a, "file"],
      ] as const) {
        await store().deliveries.markFailed(lead, sink, "down", null, T0 + 1);
      }
      expect(await store().deliveries.revive({ leadIds: [] }, T0 + 50)).toBe(0);
      expect(await store().deliveries.revive({ sink: "crm", leadIds: [b] }, T0 + 50)).toBe(1);
      expect(await store().deliveries.forLead(b)).toMatchObject([
        { state: "pending", attempts: 0, availableAt: T0 + 50, updatedAt: T0 + 50 },
      ]);
      expect(await store().deliveries.revive({ sink: "file" }, T0 + 60)).toBe(1);
      expect(await store().deliveries.revive({}, T0 + 70)).toBe(1);
      expect(await store().deliveries.revive({}, T0 + 80)).toBe(0);
      expect(
        (await store().deliveries.lease("crm", T0 + 80, 10, T0 + 80)).map((d) => d.leadId).sort(),
      ).toEqual([a, b].sort());
    });

    it("names the leads with nothing left to deliver", async () => {
      const [done, waiting, none] = [
        await admitOne(store()),
        await admitOne(store()),
        await admitOne(store()),
      ];
      await store().deliveries.schedule(
        [
          { leadId: done, sink: "crm", route: "r" },
          { leadId: done, sink: "file", route: "r" },
          { leadId: waiting, sink: "crm", route: "r" },
          { leadId: waiting, sink: "file", route: "r" },
        ],
        T0,
      );
      await store().deliveries.markDelivered(done, "crm", T0 + 1);
      await store().deliveries.markFailed(done, "file", "gone", null, T0 + 1);
      await store().deliveries.markDelivered(waiting, "crm", T0 + 1);
      const settled = await store().deliveries.settledLeads([done, waiting, none]);
      expect([...settled.keys()].sort()).toEqual([done, none].sort());
      expect(settled.get(none)).toEqual([]);
      expect(
        settled.get(done)?.map(({ sink, state, lastError }) => ({ sink, state, lastError })),
      ).toEqual([
        { sink: "crm", state: "delivered", lastError: null },
        { sink: "file", state: "dead", lastError: "gone" },
      ]);
      await store().deliveries.markFailed(waiting, "file", "slow", T0 + 10, T0 + 2);
      expect(await store().deliveries.settledLeads([waiting])).toEqual(new Map());
      expect(await store().deliveries.settledLeads([])).toEqual(new Map());
    });

    it("leases deliveries: not handed out again until the lease ends, disjoint between racing workers", async () => {
      const leads = await Promise.all(Array.from({ length: 12 }, () => admitOne(store())));
      await store().deliveries.schedule(
        leads.map((leadId) => ({ leadId, sink: "crm", route: "r" })),
        T0,
      );
      const first = await store().deliveries.lease("crm", T0, 2, T0 + 100);
      expect(first).toHaveLength(2);
      expect(await store().deliveries.lease("crm", T0 + 99, 20, T0 + 100)).toHaveLength(10);
      expect(await store().deliveries.lease("crm", T0 + 99, 20, T0 + 200)).toEqual([]);
      const racing = await Promise.all(
        Array.from({ length: 4 }, () => store().deliveries.lease("crm", T0 + 100, 4, T0 + 300)),
      );
      const ids = racing.flat().map((delivery) => delivery.leadId);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    });

    it("renews a lease on the deliveries still pending, and only the named sink's", async () => {
      const [held, done] = [await admitOne(store()), await admitOne(store())];
      await store().deliveries.schedule(
        [
          { leadId: held, sink: "crm", route: "r" },
          { leadId: done, sink: "crm", route: "r" },
          { leadId: held, sink: "file", route: "r" },
        ],
        T0,
      );
      expect(await store().deliveries.lease("crm", T0, 10, T0 + 100)).toHaveLength(2);
      await store().deliveries.markDelivered(done, "crm", T0 + 10);
      await store().deliveries.renewLease("crm", [held, done], T0 + 500);
      await store().deliveries.renewLease("crm", [], T0 + 900);
      expect(await store().deliveries.lease("crm", T0 + 499, 10, T0 + 600)).toEqual([]);
      const after = await store().deliveries.lease("crm", T0 + 500, 10, T0 + 600);
      expect(after.map((delivery) => delivery.leadId)).toEqual([held]);
      const deliveries = await store().deliveries.forLead(held);
      expect(deliveries.find((delivery) => delivery.sink === "file")?.availableAt).toBe(T0);
      expect((await store().deliveries.forLead(done))[0]).toMatchObject({
        state: "delivered",
        availableAt: T0 + 100,
      });
    });
  });
}
