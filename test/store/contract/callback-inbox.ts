/** Contract: the callback inbox — durable append, oldest-first pending, marking processed. */
import { describe, expect, it } from "vitest";
import { type OpenStore, T0, useStore } from "./fixtures.js";

export function describeCallbackInbox(open: OpenStore): void {
  describe("inbox", () => {
    const store = useStore(open);

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
      const pending = await store().inbox.pending(10);
      expect(pending.map(({ id: _id, ...entry }) => entry)).toEqual([
        {
          leadId: "a",
          attempt: 1,
          body: { email: "a@x.co", score: 3, tags: ["x"] },
          receivedAt: T0,
        },
        { leadId: "b", attempt: 2, body: {}, receivedAt: T0 + 1 },
        { leadId: "a", attempt: 1, body: { again: true }, receivedAt: T0 + 2 },
      ]);
      const ids = pending.map((entry) => entry.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      expect(await store().inbox.pending(2)).toEqual(pending.slice(0, 2));
    });

    it("leaves processed entries out of pending, idempotently", async () => {
      await store().inbox.append(
        [1, 2, 3].map((attempt) => ({ leadId: "a", attempt, body: { attempt }, receivedAt: T0 })),
      );
      const [first, second, third] = await store().inbox.pending(10);
      await store().inbox.markProcessed([first!.id, third!.id]);
      await store().inbox.markProcessed([first!.id]);
      await store().inbox.markProcessed([]);
      expect(await store().inbox.pending(10)).toEqual([second]);
      await store().inbox.markProcessed([second!.id, 999_999]);
      expect(await store().inbox.pending(10)).toEqual([]);
    });

    it("keeps every callback of concurrent appends", async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          store().inbox.append([
            { leadId: `lead-${index}`, attempt: 1, body: { index }, receivedAt: T0 },
          ]),
        ),
      );
      const pending = await store().inbox.pending(100);
      expect(pending.map((entry) => entry.leadId).sort()).toEqual(
        Array.from({ length: 20 }, (_, index) => `lead-${index}`).sort(),
      );
    });
  });
}
