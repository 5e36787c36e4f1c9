/**
 * Closing a sink cleanly: close() stops new deliveries, aborts the waits of
 * those in progress and resolves once every one of them has settled, so no
 * request, query or write outlives the sink.
 */
import { ClaypipeError } from "../core/errors.js";
import type { SinkResult } from "./sink.js";

export const CLOSED_RESULT: SinkResult = {
  ok: false,
  retryable: true,
  reason:
    "the sink was closing (claypipe is shutting down); the record is delivered after a restart",
};

export class SinkLifecycle {
  private readonly closing = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Runs one deliver(): rejects when the caller has aborted, answers every
   * record with CLOSED_RESULT once the sink is closed, and otherwise gives the
   * work a signal that aborts with the caller's or when the sink closes.
   */
  run(
    records: readonly unknown[],
    signal: AbortSignal,
    work: (signal: AbortSignal) => Promise<SinkResult[]>,
  ): Promise<SinkResult[]> {
    // A rejection, not a throw: callers chain on the promise deliver() returns.
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.resolve(records.map(() => CLOSED_RESULT));
    const combined = AbortSignal.any([signal, this.closing.signal]);
    const promise = work(combined).catch((thrown: unknown) => {
      if (signal.aborted) throw signal.reason;
      if (this.closed) return records.map(() => CLOSED_RESULT);
      throw thrown;
    });
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** As run(), for a sink that sends one record per request, in order. */
  runEach<T>(
    records: readonly T[],
    signal: AbortSignal,
    send: (record: T, signal: AbortSignal) => Promise<SinkResult>,
  ): Promise<SinkResult[]> {
    return this.run(records, signal, async (combined) => {
      const results: SinkResult[] = [];
      for (const record of records) results.push(await send(record, combined));
      return results;
    });
  }

  /** Closes once; later calls wait for the same deliveries. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closing.abort(new ClaypipeError("aborted", "the sink is closing"));
    }
    await Promise.allSettled([...this.running]);
  }
}
