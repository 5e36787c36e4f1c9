/** Contract: the callback inbox — durable append, oldest-first claims with a lease, marking processed. */
import { describe, expect, it } from "vitest";
import type { InboxEntry } from "../../../src/store/store.js";
import { admitOne, mustMove, type OpenStore, sendAndAwait, T0, useStore } from "./fixtures.js";

const LEASE_MS = 30_000;

function ids(entries: InboxEntry[]): number[] {
  return entries.map((entry) => entry.id);
}

export function describeCallbackInbox(open: OpenStore): void {
  describe("inbox", () => {
    const store = useStore(open);

    async function appendAttempts(count: number): Promise<InboxEntry[]> {
      await store().inbox.append(
        Array.from({ length: count }, (_, index) => ({
          leadId: "a",
          attempt: index + 1,
          body: { index },
          receivedAt: T0,
        })),
      );
      return store().inbox.claim(count, 0, T0);
    }

    it("hands back appended callbacks oldest first, with their bodies", async () => {
      await store().inbox.append([
        {
          leadId: "a",
          attempt: 1,
          body: { email: "a@x.co", score: 3, tags: ["x"] },
          receivedAt: T0,
        },
        { leadId: "b", attempt: 2, body: {}, receivedAt: T0 + 1 },
      ]);
      await store().inbox.append([
        { leadId: "a", attempt: 1, body: { again: true }, receivedAt: T0 + 2 },
      ]);
      await store().inbox.append([]);
      // A lease of 0 holds nothing: the same entries stay claimable.
      const unclaimed = await store().inbox.claim(10, 0, T0);
      expect(unclaimed.map(({ id: _id, ...entry }) => entry)).toEqual([
        {
          leadId: "a",
          attempt: 1,
          body: { email: "a@x.co", score: 3, tags: ["x"] },
          receivedAt: T0,
        },
        { leadId: "b", attempt: 2, body: {}, receivedAt: T0 + 1 },
        { leadId: "a", attempt: 1, body: { again: true }, receivedAt: T0 + 2 },
      ]);
      expect([...ids(unclaimed)].sort((x, y) => x - y)).toEqual(ids(unclaimed));
      expect(new Set(ids(unclaimed)).size).toBe(3);
      expect(await store().inbox.claim(2, 0, T0)).toEqual(unclaimed.slice(0, 2));
    });

    it("appends a batch of awaited callbacks with their leads read in the same step: an unknown lead's and a finished lead's are not written", async () => {
      const awaited = await admitOne(store(), { table: "crm", workspace: "acme" });
      await sendAndAwait(store(), awaited, T0 + 60_000);
      const finished = await admitOne(store());
      await sendAndAwait(store(), finished, T0 + 60_000);
      await mustMove(store(), finished, "awaiting_callback", "enriched", { result: { ok: 1 } });
      const answers = await store().inbox.appendAwaited([
        { leadId: awaited, attempt: 1, body: { title: "CTO" }, receivedAt: T0 },
        { leadId: "no-such-lead", attempt: 1, body: {}, receivedAt: T0 },
        { leadId: finished, attempt: 1, body: { again: true }, receivedAt: T0 },
      ]);
      expect(answers).toEqual([
        {
          identityKey: expect.stringMatching(/^email:/),
          workspace: "acme",
          table: "crm",
          hadResult: false,
        },
        undefined,
        {
          identityKey: expect.stringMatching(/^email:/),
          workspace: "main",
          table: "people",
          hadResult: true,
        },
      ]);
      const written = await store().inbox.claim(10, 0, T0);
      expect(written.map(({ leadId, body }) => ({ leadId, body }))).toEqual([
        { leadId: awaited, body: { title: "CTO" } },
      ]);
      expect(await store().inbox.appendAwaited([])).toEqual([]);
    });

    it("gives claims at once disjoint entries, and gives them again once the lease ends", async () => {
      const all = await appendAttempts(5);
      const [first, second] = await Promise.all([
        store().inbox.claim(3, LEASE_MS, T0),
        store().inbox.claim(3, LEASE_MS, T0),
      ]);
      expect(first!.length + second!.length).toBe(5);
      expect([...ids(first!), ...ids(second!)].sort((x, y) => x - y)).toEqual(ids(all));
      for (const claimed of [first!, second!]) {
        expect([...ids(claimed)].sort((x, y) => x - y)).toEqual(ids(claimed));
      }
      expect(await store().inbox.claim(10, LEASE_MS, T0 + LEASE_MS - 1)).toEqual([]);
      // The claimers stopped without marking anything: every entry is claimable again.
      expect(await store().inbox.claim(10, LEASE_MS, T0 + LEASE_MS)).toEqual(all);
    });

    it("never hands back processed entries, idempotently, whatever the lease", async () => {
      const [first, second, third] = await appendAttempts(3);
      expect(await store().inbox.claim(10, LEASE_MS, T0)).toEqual([first, second, third]);
      await store().inbox.markProcessed([first!.id, third!.id]);
      await store().inbox.markProcessed([first!.id]);
      await store().inbox.markProcessed([]);
      expect(await store().inbox.claim(10, LEASE_MS, T0 + LEASE_MS)).toEqual([second]);
      await store().inbox.markProcessed([second!.id, 999_999]);
      expect(await store().inbox.claim(10, LEASE_MS, T0 + 10 * LEASE_MS)).toEqual([]);
    });

    it("makes released entries claimable at once, but never processed ones", async () => {
      const [first, second, third] = await appendAttempts(3);
      await store().inbox.claim(10, LEASE_MS, T0);
      await store().inbox.markProcessed([first!.id]);
      await store().inbox.release([first!.id, second!.id]);
      await store().inbox.release([]);
      expect(await store().inbox.claim(10, LEASE_MS, T0 + 1)).toEqual([second]);
      expect(await store().inbox.claim(10, LEASE_MS, T0 + LEASE_MS)).toEqual([third]);
    });

    it("keeps every callback of concurrent appends", async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          store().inbox.append([
            { leadId: `lead-${index}`, attempt: 1, body: { index }, receivedAt: T0 },
          ]),
        ),
      );
      const unclaimed = await store().inbox.claim(100, 0, T0);
      expect(unclaimed.map((entry) => entry.leadId).sort()).toEqual(
        Array.from({ length: 20 }, (_, index) => `lead-${index}`).sort(),
      );
    });

    it("counts every callback ever appended, processed or not", async () => {
      expect(await store().inbox.totalReceived()).toBe(0);
      const [first, second] = await appendAttempts(2);
      expect(await store().inbox.totalReceived()).toBe(2);
      await store().inbox.claim(10, LEASE_MS, T0);
      await store().inbox.markProcessed([first!.id, second!.id]);
      await appendAttempts(3);
      expect(await store().inbox.totalReceived()).toBe(5);
    });
  });
}
