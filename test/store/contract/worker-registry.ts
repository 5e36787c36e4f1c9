/** Contract: the live workers — beats upsert a process's row, leaving removes it, silent ones age out. */
import { describe, expect, it } from "vitest";
import type { WorkerBeat } from "../../../src/store/store.js";
import { type OpenStore, T0, useStore } from "./fixtures.js";

const STALE_MS = 15_000;
const HOUR_MS = 60 * 60 * 1000;

function worker(id: string, overrides: Partial<WorkerBeat> = {}): WorkerBeat {
  return {
    id,
    role: "worker",
    host: "box-1",
    pid: 4242,
    tier: "queue",
    startedAt: T0,
    seenAt: T0,
    ...overrides,
  };
}

export function describeWorkerRegistry(open: OpenStore): void {
  describe("workers", () => {
    const store = useStore(open);

    it("lists each process once, as its latest beat said, the most recently started first", async () => {
      const api = worker("api-1", { role: "api", opsUrl: "http://10.0.0.5:8787" });
      await store().workers.beat(api);
      await store().workers.beat(worker("w-1", { startedAt: T0 + 1, seenAt: T0 + 1 }));
      await store().workers.beat(worker("w-1", { startedAt: T0 + 1, seenAt: T0 + 5_000 }));
      expect(await store().workers.list(T0 + 5_000, STALE_MS)).toEqual([
        worker("w-1", { startedAt: T0 + 1, seenAt: T0 + 5_000 }),
        api,
      ]);
    });

    it("keeps an ops URL a later beat gives, and drops one a later beat leaves out", async () => {
      await store().workers.beat(worker("w-1"));
      await store().workers.beat(worker("w-1", { opsUrl: "http://10.0.0.6:9464", seenAt: T0 + 1 }));
      expect(await store().workers.list(T0 + 1, STALE_MS)).toEqual([
        worker("w-1", { opsUrl: "http://10.0.0.6:9464", seenAt: T0 + 1 }),
      ]);
      await store().workers.beat(worker("w-1", { seenAt: T0 + 2 }));
      expect(await store().workers.list(T0 + 2, STALE_MS)).toEqual([
        worker("w-1", { seenAt: T0 + 2 }),
      ]);
    });

    it("forgets a process that left, and leaving twice is harmless", async () => {
      await store().workers.beat(worker("w-1"));
      await store().workers.beat(worker("w-2"));
      await store().workers.leave("w-1");
      await store().workers.leave("w-1");
      await store().workers.leave("never-beat");
      expect((await store().workers.list(T0, STALE_MS)).map((row) => row.id)).toEqual(["w-2"]);
    });

    it("leaves out a process silent for longer than the staleness, and shows it again when it beats", async () => {
      await store().workers.beat(worker("quiet"));
      await store().workers.beat(worker("busy", { seenAt: T0 + 20_000 }));
      expect((await store().workers.list(T0 + STALE_MS, STALE_MS)).map((row) => row.id)).toEqual([
        "busy",
        "quiet",
      ]);
      expect(
        (await store().workers.list(T0 + STALE_MS + 1, STALE_MS)).map((row) => row.id),
      ).toEqual(["busy"]);
      await store().workers.beat(worker("quiet", { seenAt: T0 + 30_000 }));
      expect((await store().workers.list(T0 + 30_000, STALE_MS)).map((row) => row.id)).toEqual([
        "busy",
        "quiet",
      ]);
    });

    it("deletes the rows of processes silent for over an hour", async () => {
      await store().workers.beat(worker("gone"));
      await store().workers.beat(worker("here", { seenAt: T0 + HOUR_MS }));
      await store().workers.list(T0 + HOUR_MS + 1, STALE_MS);
      // Asked with a staleness of a day, the forgotten row is not there to show.
      expect(
        (await store().workers.list(T0 + HOUR_MS + 1, 24 * HOUR_MS)).map((row) => row.id),
      ).toEqual(["here"]);
    });
  });
}
