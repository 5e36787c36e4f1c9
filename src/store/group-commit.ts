/**
 * Group commit: many concurrent writers share one durable commit. Items are
 * gathered while a flush runs and committed together by the next one, so a
 * burst of requests costs a few fsyncs instead of one each. Every `add`
 * resolves only once the flush holding its item has committed, and rejects
 * with that flush's error when it failed, so a caller acknowledges nothing
 * that is not on disk.
 *
 * An item that arrives while nothing is running waits for company, counted in
 * event-loop turns (`maxWaitMs` 0): its flush starts at the end of the first
 * turn that brings no new item, or after MAX_WAIT_TURNS turns. A lone request
 * is committed at the end of its own turn; a burst, read over a few turns, shares
 * one commit. That suits synchronous SQLite drivers (both of them), whose flush blocks
 * the event loop: a fixed wait in milliseconds would leave the process idle
 * under load instead, since the next batch's requests cannot arrive before their
 * clients have heard back from this one.
 *
 * A store whose commit waits on a server (PostgreSQL) can run a few flushes at
 * once (`maxFlushes`): while one batch waits for its round trips, the next
 * one is already on its way, instead of waiting behind it. Each caller still
 * hears back only when its own batch has committed.
 */
import { ClaypipeError, coerceError } from "../core/errors.js";

export interface GroupCommitOptions<T, R = void> {
  /**
   * Writes a batch durably, all or none; batches start in order, `maxFlushes` at a time.
   * May answer each item (in the items' order): its `add` resolves with that answer.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a flush that answers nothing returns Promise<void>
  flush: (items: T[]) => Promise<[R] extends [void] ? void : readonly R[]>;
  /**
   * Most items one flush commits.
   * @defaultValue 256
   */
  maxItems?: number;
  /**
   * How long an item that finds nothing running waits for others before its flush starts,
   * in ms; 0 waits in event-loop turns instead, while new items keep arriving.
   * @defaultValue 0
   */
  maxWaitMs?: number;
  /**
   * Most flushes running at once; more than one only where concurrent batches are
   * safe (a transaction of its own each, on separate connections).
   * @defaultValue 1
   */
  maxFlushes?: number;
}

// Bounds the wait of a flush under a steady stream of items, which never leaves a turn empty.
const MAX_WAIT_TURNS = 4;

export interface GroupCommitter<T, R = void> {
  /** Resolves when `item` is committed, with the flush's answer for it; rejects with the error of the flush that held it. */
  add(item: T): Promise<R>;
  /** Commits everything added so far, then refuses new items. */
  close(): Promise<void>;
}

interface Entry<T, R> {
  item: T;
  resolve: (answer: R) => void;
  reject: (error: Error) => void;
}

export function createGroupCommitter<T, R = void>(
  options: GroupCommitOptions<T, R>,
): GroupCommitter<T, R> {
  const maxItems = Math.max(1, options.maxItems ?? 256);
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 0);
  const maxFlushes = Math.max(1, options.maxFlushes ?? 1);
  let waiting: Entry<T, R>[] = [];
  const flushing = new Set<Promise<void>>();
  let timer: { cancel: () => void } | undefined;
  let closed = false;

  function startSoon(): void {
    if (flushing.size >= maxFlushes) return;
    if (waiting.length >= maxItems || closed) {
      start();
      return;
    }
    if (timer !== undefined) return;
    if (maxWaitMs === 0) {
      let seen = waiting.length;
      let turns = 1;
      // setImmediate runs once the turn's I/O is read: items added by then came in this turn.
      const afterTurn = () => {
        if (waiting.length > seen && turns < MAX_WAIT_TURNS) {
          seen = waiting.length;
          turns += 1;
          handle = setImmediate(afterTurn);
          return;
        }
        start();
      };
      let handle = setImmediate(afterTurn);
      timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(start, maxWaitMs);
      timer = { cancel: () => clearTimeout(handle) };
    }
  }

  function start(): void {
    timer?.cancel();
    timer = undefined;
    if (flushing.size >= maxFlushes || waiting.length === 0) return;
    const batch = waiting.slice(0, maxItems);
    waiting = waiting.slice(maxItems);
    const flush: Promise<void> = commit(batch).finally(() => {
      flushing.delete(flush);
      // What arrived during this flush has waited already: it goes at once.
      start();
    });
    flushing.add(flush);
  }

  async function commit(batch: Entry<T, R>[]): Promise<void> {
    let answers: readonly R[] | undefined;
    try {
      // Undefined where the flush answers nothing (R is void).
      const flushed: unknown = await options.flush(batch.map((entry) => entry.item));
      answers = flushed as readonly R[] | undefined;
    } catch (thrown) {
      const error = coerceError(thrown);
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, index) => {
      entry.resolve(answers?.[index] as R);
    });
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
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        startSoon();
      });
    },
    async close() {
      closed = true;
      start();
      while (flushing.size > 0) await Promise.all(flushing);
    },
  };
}
