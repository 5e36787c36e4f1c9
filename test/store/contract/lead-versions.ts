/**
 * Contract: a person's versions (`versions.previous`, `versions.stale`), the
 * admission of a refresh past the dedupe window, and the refresh schedules'
 * compare-and-set.
 */
import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/store.js";
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

const DAY = 86_400_000;

/** Admits a lead of `email` at `at` and moves it to delivered with `result`. */
async function enrichedVersion(
  store: Store,
  email: string,
  at: number,
  result: Record<string, unknown>,
): Promise<string> {
  // Outside any earlier version's dedupe window: each version is an original.
  const lead = newLead({ identityKey: `email:${email}`, fields: { email } });
  await admit(store, [lead], at, at);
  const id = lead.id;
  await mustMove(store, id, "queued", "sending", {}, at);
  await mustMove(
    store,
    id,
    "sending",
    "awaiting_callback",
    { attempt: 1, callbackDeadline: at + 1 },
    at,
  );
  await mustMove(store, id, "awaiting_callback", "enriched", { result }, at);
  await mustMove(store, id, "enriched", "delivered", { routes: ["hot"] }, at);
  return id;
}

export function describeLeadVersions(open: OpenStore): void {
  describe("versions", () => {
    const store = useStore(open);

    it("previous: the person's newest earlier result, never the lead's own nor another person's", async () => {
      const first = await enrichedVersion(store(), "ada@acme.com", T0, { title: "CTO" });
      const second = await enrichedVersion(store(), "ada@acme.com", T0 + DAY, { title: "CEO" });
      await enrichedVersion(store(), "ben@acme.com", T0 + 2 * DAY, { title: "VP" });
      const third = await admitOne(
        store(),
        { identityKey: "email:ada@acme.com", refreshOf: { leadId: second, schedule: "q" } },
        T0 + 3 * DAY,
      );
      const lead = (await store().leads.get(third))!;
      expect(await store().versions.previous(lead)).toEqual({
        leadId: second,
        result: { title: "CEO" },
        createdAt: T0 + DAY,
      });
      const firstLead = (await store().leads.get(first))!;
      expect(await store().versions.previous(firstLead)).toBeUndefined();
      const secondLead = (await store().leads.get(second))!;
      expect((await store().versions.previous(secondLead))?.leadId).toBe(first);
      // Another workspace is another person.
      expect(await store().versions.previous({ ...lead, workspace: "other" })).toBeUndefined();
      // At once: the same answers, by lead, for the leads that have one.
      expect(await store().versions.previousOf([lead, firstLead, secondLead])).toEqual(
        new Map([
          [third, { leadId: second, result: { title: "CEO" }, createdAt: T0 + DAY }],
          [second, { leadId: first, result: { title: "CTO" }, createdAt: T0 }],
        ]),
      );
      expect(await store().versions.previousOf([])).toEqual(new Map());
    });

    it("stale: each person's newest result older than the cutoff, oldest first, paged", async () => {
      const old = await enrichedVersion(store(), "old@acme.com", T0, { title: "A" });
      const renewed = await enrichedVersion(store(), "renewed@acme.com", T0 + 1, { title: "A" });
      const renewal = await enrichedVersion(store(), "renewed@acme.com", T0 + 50 * DAY, {
        title: "B",
      });
      const failedRefresh = await enrichedVersion(store(), "failed@acme.com", T0 + 2, {
        title: "A",
      });
      const failed = newLead({ identityKey: "email:failed@acme.com" });
      await admit(store(), [failed], T0 + 60 * DAY, T0 + 60 * DAY);
      await killLead(store(), failed.id);
      const fresh = await enrichedVersion(store(), "fresh@acme.com", T0 + 80 * DAY, { title: "A" });
      const waiting = await admitOne(store(), { identityKey: "email:waiting@acme.com" }, T0 + 3);

      const cutoff = T0 + 70 * DAY;
      const page1 = await store().versions.stale({ createdBefore: cutoff, limit: 1 });
      expect(page1.leads.map((lead) => lead.id)).toEqual([old]);
      const page2 = await store().versions.stale({
        createdBefore: cutoff,
        limit: 5,
        cursor: page1.nextCursor!,
      });
      // renewed has a later version; a dead later lead (a failed refresh) does not count.
      expect(page2.leads.map((lead) => lead.id)).toEqual([failedRefresh, renewal]);
      expect(page2.nextCursor).toBeNull();
      expect(page1.leads[0]!.result).toEqual({ title: "A" });
      const all = await store().versions.stale({ createdBefore: T0 + 90 * DAY, limit: 10 });
      expect(all.leads.map((lead) => lead.id)).toEqual([old, failedRefresh, renewal, fresh]);
      expect(all.leads.map((lead) => lead.id)).not.toContain(renewed);
      expect(all.leads.map((lead) => lead.id)).not.toContain(waiting);
    });

    it("a refresh is admitted queued inside the dedupe window, with its reason", async () => {
      const original = await enrichedVersion(store(), "ada@acme.com", T0, { title: "CTO" });
      const refresh = newLead({
        identityKey: "email:ada@acme.com",
        priority: 1000,
        refreshOf: { leadId: original, schedule: "quarterly" },
      });
      const [admission] = await admit(store(), [refresh], T0 + 10, 0);
      expect(admission).toEqual({ id: refresh.id, state: "queued" });
      const history = await store().leads.history(refresh.id);
      expect(history.at(-1)).toMatchObject({
        to: "queued",
        reason: `refresh of ${original} (schedule "quarterly")`,
      });
      // A repeat arriving after the refresh is its duplicate, as with any original in the window.
      const repeat = newLead({ identityKey: "email:ada@acme.com" });
      const [repeated] = await admit(store(), [repeat], T0 + 20, T0 + 5);
      expect(repeated).toMatchObject({ state: "duplicate", duplicateOf: refresh.id });
    });
  });

  describe("refreshSchedules", () => {
    const store = useStore(open);

    it("ensure creates once, keeps the time while the spec stays, resets it when the spec changes", async () => {
      const schedules = store().refreshSchedules;
      expect(await schedules.ensure("q", "0 3 * * * UTC", T0)).toEqual({
        name: "q",
        spec: "0 3 * * * UTC",
        nextRunAt: T0,
        lastRun: null,
      });
      expect((await schedules.ensure("q", "0 3 * * * UTC", T0 + 5)).nextRunAt).toBe(T0);
      expect((await schedules.ensure("q", "0 4 * * * UTC", T0 + 7)).nextRunAt).toBe(T0 + 7);
      expect((await schedules.list()).map((state) => state.name)).toEqual(["q"]);
    });

    it("claim moves the time once: a second claimer of the same time loses", async () => {
      const schedules = store().refreshSchedules;
      await schedules.ensure("q", "spec", T0);
      const claims = await Promise.all([
        schedules.claim("q", T0, T0 + DAY),
        schedules.claim("q", T0, T0 + DAY),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await schedules.claim("q", T0, T0 + DAY)).toBe(false);
      const figures = {
        at: T0,
        examined: 3,
        refreshed: 2,
        skipped: 0,
        estimatedCredits: { actions: 8, data: 20 },
        stoppedBy: "maxPerRun" as const,
      };
      await schedules.recordRun("q", figures);
      expect(await schedules.list()).toEqual([
        { name: "q", spec: "spec", nextRunAt: T0 + DAY, lastRun: figures },
      ]);
    });
  });
}
