/**
 * Group commit: many concurrent writers share one durable commit. Items are
 * gathered while a flush runs and committed together by the next one, so a
 * burst of requests costs a few fsyncs instead of one each. Every `add`
 * resolves only once the flush holding its item has committed, and rejects
 * with that flush's error when it failed, so a caller acknowledges nothing
 * that is not on disk.
 *
 * An item that arrives while nothing is running waits up to `maxWaitMs` for
 * company. That wait matters for synchronous drivers (better-sqlite3): their
 * flush blocks the event loop, so requests that arrive meanwhile are only seen
 * after it, and without the wait each would get a commit of its own.
 */
import { ClaypipeError, coerceError } from "../core/errors.js";

export interface GroupCommitOptions<T> {
  /** Writes a batch durably, all or none; called for one batch at a time, in order. */
  flush: (items: T[]) => Promise<void>;
  /**
   * Most items one flush commits.
   * @defaultValue 256
   */
  maxItems?: number;
  /**
   * How long an item that finds nothing running waits for others before its flush starts
   * (0: until the current event-loop turn ends).
   * @defaultValue 2
   */
  maxWaitMs?: number;
}

export interface GroupCommitter<T> {
  /** Resolves when `item` is committed; rejects with the error of the flush that held it. */
  add(item: T): Promise<void>;
  /** Commits everything added so far, then refuses new items. */
  close(): Promise<void>;
}

interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function createGroupCommitter<T>(options: GroupCommitOptions<T>): GroupCommitter<T> {
  const maxItems = Math.max(1, options.maxItems ?? 256);
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
  let waiting: Entry<T>[] = [];
  let flushing: Promise<void> | undefined;
  let timer: { cancel: () => void } | undefined;
  let closed = false;

  function startSoon(): void {
    if (flushing !== undefined) return;
    if (waiting.length >= maxItems || closed) {
      start();
      return;
    }
    if (timer !== undefined) return;
    if (maxWaitMs === 0) {
      const handle = setImmediate(start);
      timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(start, maxWaitMs);
      timer = { cancel: () => clearTimeout(handle) };
    }
  }

  function start(): void {
    timer?.cancel();
    timer = undefined;
    if (flushing !== undefined || waiting.length === 0) return;
    const batch = waiting.slice(0, maxItems);
    waiting = waiting.slice(maxItems);
    flushing = commit(batch).finally(() => {
      flushing = undefined;
      // What arrived during this flush has waited already: it goes at once.
      start();
    });
  }

  async function commit(batch: Entry<T>[]): Promise<void> {
    try {
      await options.flush(batch.map((entry) => entry.item));
    } catch (thrown) {
      const error = coerceError(thrown);
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve();
  }

  return {
    add(item) {
      if (closed) {
        return Promise.reject(
          new ClaypipeError("state_unavailable", "the store is closing and takes no more writes", {
            hint: "the process is shutting down; send the request again once it is back",
          }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        startSoon();
      });
    },
    async close() {
      closed = true;
      start();
      while (flushing !== undefined) await flushing;
    },
  };
}
