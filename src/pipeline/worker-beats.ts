/**
 * This process in the store's list of live workers (the dashboard's): while
 * the pipeline runs it beats every few seconds, and it leaves the list when it
 * stops. A killed process cannot leave; it drops out once three beats are missed.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../core/clock.js";
import { coerceError } from "../core/errors.js";
import type { Logger } from "../logging/create-logger.js";
import type { Store, WorkerBeat } from "../store/store.js";

/** How often a running process says it is alive. */
export const BEAT_MS = 5_000;
/** A process whose last beat is older than three beats is not listed. */
export const ALIVE_MS = 3 * BEAT_MS;

export interface WorkerBeats {
  /** One beat, as a loop step (never counts as work, so the loop waits BEAT_MS after it). */
  beat(): Promise<number>;
  /** Takes this process off the list; a failure is logged, and the row ages out instead. */
  leave(): Promise<void>;
}

export function createWorkerBeats(
  deps: { store: Store; clock: Clock; logger: Logger },
  self: { role: string; tier: string; opsUrl?: string },
): WorkerBeats {
  const { store, clock, logger } = deps;
  const worker: Omit<WorkerBeat, "seenAt"> = {
    id: randomUUID(),
    role: self.role,
    host: hostname(),
    pid: process.pid,
    tier: self.tier,
    ...(self.opsUrl !== undefined && { opsUrl: self.opsUrl }),
    startedAt: clock.now(),
  };
  return {
    async beat() {
      await store.workers.beat({ ...worker, seenAt: clock.now() });
      return 0;
    },
    async leave() {
      try {
        await store.workers.leave(worker.id);
      } catch (thrown) {
        logger.warn(
          { err: coerceError(thrown) },
          `could not take this process off the list of live workers; it drops out within ${ALIVE_MS / 1000} s`,
        );
      }
    },
  };
}

/** The processes that beat within the last ALIVE_MS, the most recently started first. */
export function listLiveWorkers(store: Store, clock: Clock): Promise<WorkerBeat[]> {
  return store.workers.list(clock.now(), ALIVE_MS);
}
