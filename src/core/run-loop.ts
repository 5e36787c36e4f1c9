/**
 * Runs one step of background work again and again until stopped: at once
 * while it finds work, after `idleMs` when it found none, after a back-off
 * when it failed (the error is logged, never lost, and the loop goes on). A
 * loop told its step's `fullPass` also waits after a pass that did less: that
 * pass took all there was, and new work wakes the loop.
 */

import type { Logger } from "../logging/create-logger.js";
import type { Clock } from "./clock.js";
import { coerceError, isAbortError } from "./errors.js";

export interface LoopOptions {
  name: string;
  /** One pass; resolves with how much work it did (0 = idle). */
  step: (signal: AbortSignal) => Promise<number>;
  /** @defaultValue 200 */
  idleMs?: number;
  /**
   * The most one pass takes. A pass that did less found no more waiting, so
   * the loop waits for a wake or `idleMs` rather than looking again at once
   * (a look that would find nothing). Only for a loop that new work wakes.
   */
  fullPass?: number;
  /** @defaultValue 2000 */
  errorBackoffMs?: number;
  clock: Clock;
  logger: Logger;
  /** Wakes the loop early (e.g. new leads arrived). */
  wake?: (listener: () => void) => () => void;
}

export async function runLoop(options: LoopOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  // Heard for the loop's whole life: a wake that comes while a step runs (the step may have
  // looked just before the work arrived) skips the idle pause instead of being lost in it.
  let woken = false;
  let endPause: (() => void) | undefined;
  const unsubscribe = options.wake?.(() => {
    woken = true;
    endPause?.();
  });
  try {
    while (!signal.aborted) {
      woken = false;
      let pauseMs = 0;
      try {
        const done = await options.step(signal);
        const drained = done === 0 || (options.fullPass !== undefined && done < options.fullPass);
        if (drained && !woken) pauseMs = options.idleMs ?? 200;
      } catch (thrown) {
        if (signal.aborted && isAbortError(thrown)) break;
        logger.error(
          { loop: options.name, err: coerceError(thrown) },
          `${options.name} failed; trying again`,
        );
        pauseMs = options.errorBackoffMs ?? 2000;
      }
      if (pauseMs > 0) await pause(pauseMs, options.clock, signal, (end) => (endPause = end));
      endPause = undefined;
    }
  } finally {
    unsubscribe?.();
  }
}

async function pause(
  ms: number,
  clock: Clock,
  signal: AbortSignal,
  onEnd: (end: () => void) => void,
): Promise<void> {
  const early = new AbortController();
  onEnd(() => early.abort());
  try {
    await clock.sleep(ms, AbortSignal.any([signal, early.signal]));
  } catch {
    // Woken early or stopped: either way the loop decides what next.
  }
}
