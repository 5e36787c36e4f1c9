import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { createGroupCommitter } from "../../src/store/group-commit.js";

/** A flush that records its batches and finishes only when the test says so. */
function controlledFlush<T>() {
  const batches: T[][] = [];
  const releases: Array<(error?: Error) => void> = [];
  let running = 0;
  let mostAtOnce = 0;
  const flush = (items: T[]) => {
    batches.push([...items]);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<void>((resolve, reject) => {
      releases.push((error) => {
        running -= 1;
        if (error) reject(error);
        else resolve();
      });
    });
  };
  return {
    flush,
    batches,
    get mostAtOnce() {
      return mostAtOnce;
    },
    /** Finishes the oldest unfinished flush. */
    finish(error?: Error) {
      const release = releases.shift();
      if (!release) throw new Error("no flush is running");
      release(error);
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await tick();
  expect(condition()).toBe(true);
}

describe("createGroupCommitter", () => {
  it("gathers items that arrive during a flush into the next one", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({ flush: control.flush, maxWaitMs: 0 });
    const done: number[] = [];
    const first = committer.add(1).then(() => done.push(1));
    await until(() => control.batches.length === 1);
    const rest = [2, 3, 4, 5].map((item) => committer.add(item).then(() => done.push(item)));
    await tick();
    expect(control.batches).toEqual([[1]]);
    expect(done).toEqual([]);
    control.finish();
    await first;
    await until(() => control.batches.length === 2);
    expect(control.batches[1]).toEqual([2, 3, 4, 5]);
    expect(done).toEqual([1]);
    control.finish();
    await Promise.all(rest);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(control.mostAtOnce).toBe(1);
    await committer.close();
  });

  it("runs up to maxFlushes at once, each caller answered when its own batch commits", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({ flush: control.flush, maxFlushes: 2 });
    const done: number[] = [];
    const add = (item: number) => committer.add(item).then(() => done.push(item));
    const first = add(1);
    await until(() => control.batches.length === 1);
    const second = add(2);
    await until(() => control.batches.length === 2);
    const third = add(3);
    await tick();
    // Two running: the third waits for one of them to finish.
    expect(control.batches).toEqual([[1], [2]]);
    control.finish();
    await first;
    await until(() => control.batches.length === 3);
    expect(done).toEqual([1]);
    control.finish();
    control.finish();
    await Promise.all([second, third]);
    expect(done).toEqual([1, 2, 3]);
    expect(control.mostAtOnce).toBe(2);
    await committer.close();
  });

  it("batches many concurrent callers into few flushes, keeping their order", async () => {
    const batches: number[][] = [];
    const committer = createGroupCommitter<number>({
      flush: async (items) => {
        batches.push(items);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
      maxItems: 32,
    });
    await Promise.all(Array.from({ length: 200 }, (_, index) => committer.add(index)));
    expect(batches.flat()).toEqual(Array.from({ length: 200 }, (_, index) => index));
    expect(batches.every((batch) => batch.length <= 32)).toBe(true);
    expect(batches.length).toBeLessThan(200 / 4);
    await committer.close();
  });

  it("batches callers of a synchronous flush that arrive within the wait", async () => {
    const batches: string[][] = [];
    const committer = createGroupCommitter<string>({
      flush: async (items) => {
        batches.push(items);
      },
      maxWaitMs: 20,
    });
    const first = committer.add("a");
    await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.all([first, committer.add("b"), committer.add("c")]);
    expect(batches).toEqual([["a", "b", "c"]]);
    await committer.close();
  });

  it("commits a lone item at the end of its own event-loop turn", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({ flush: control.flush });
    const added = committer.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(control.batches).toEqual([[1]]);
    control.finish();
    await added;
    await committer.close();
  });

  it("keeps a burst read over several turns in one flush", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({ flush: control.flush });
    const adds = [committer.add(1), committer.add(2)];
    // Arrives in the next turn, as a request read after the first ones would.
    setImmediate(() => adds.push(committer.add(3)));
    await until(() => control.batches.length === 1);
    expect(control.batches).toEqual([[1, 2, 3]]);
    control.finish();
    await Promise.all(adds);
    await committer.close();
  });

  it("stops waiting for company after a few turns of a steady stream", async () => {
    const batches: number[][] = [];
    const committer = createGroupCommitter<number>({
      flush: async (items) => {
        batches.push(items);
      },
    });
    // Two items in one turn, then one more in every following turn: no turn is ever empty.
    const adds = [committer.add(0), committer.add(1)];
    let next = 2;
    await new Promise<void>((resolve) => {
      const stream = () => {
        adds.push(committer.add(next++));
        if (next < 40) setImmediate(stream);
        else resolve();
      };
      setImmediate(stream);
    });
    await Promise.all(adds);
    expect(batches.flat()).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(batches[0]!.length).toBeGreaterThan(2);
    expect(batches[0]!.length).toBeLessThan(10);
    await committer.close();
  });

  it("starts a flush at once when maxItems are waiting", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({
      flush: control.flush,
      maxItems: 3,
      maxWaitMs: 60_000,
    });
    const adds = [1, 2, 3, 4].map((item) => committer.add(item));
    await until(() => control.batches.length === 1);
    expect(control.batches).toEqual([[1, 2, 3]]);
    control.finish();
    await until(() => control.batches.length === 2);
    expect(control.batches[1]).toEqual([4]);
    control.finish();
    await Promise.all(adds);
    await committer.close();
  });

  it("rejects exactly the callers whose batch failed", async () => {
    const control = controlledFlush<string>();
    const committer = createGroupCommitter({ flush: control.flush, maxWaitMs: 0 });
    const first = committer.add("ok-1");
    await until(() => control.batches.length === 1);
    const doomed = [committer.add("bad-1"), committer.add("bad-2")];
    control.finish();
    await first;
    await until(() => control.batches.length === 2);
    const later = committer.add("ok-2");
    control.finish(new Error("disk full"));
    const results = await Promise.allSettled(doomed);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(
      results.map((result) => (result.status === "rejected" ? result.reason.message : "")),
    ).toEqual(["disk full", "disk full"]);
    await until(() => control.batches.length === 3);
    expect(control.batches[2]).toEqual(["ok-2"]);
    control.finish();
    await expect(later).resolves.toBeUndefined();
    await committer.close();
  });

  it("turns a thrown non-error into an Error for its callers", async () => {
    const committer = createGroupCommitter<number>({
      flush: () => Promise.reject("nope"),
    });
    await expect(committer.add(1)).rejects.toThrow("nope");
    await committer.close();
  });

  it("drains everything on close, then refuses new items", async () => {
    const control = controlledFlush<number>();
    const committer = createGroupCommitter({ flush: control.flush, maxWaitMs: 60_000 });
    const adds = [1, 2, 3].map((item) => committer.add(item));
    let closed = false;
    const closing = committer.close().then(() => {
      closed = true;
    });
    await until(() => control.batches.length === 1);
    expect(control.batches[0]).toEqual([1, 2, 3]);
    await tick();
    expect(closed).toBe(false);
    control.finish();
    await closing;
    await Promise.all(adds);
    await expect(committer.add(4)).rejects.toBeInstanceOf(ClaypipeError);
    expect(control.batches).toHaveLength(1);
  });
});
