/**
 * The processes running a pipeline on this store, for the dashboard's list of
 * live workers: each one beats (upserts its row) every few seconds and leaves
 * (deletes it) when it stops gracefully. A process that was killed stops
 * beating, so it drops out of the list once its last beat is older than the
 * staleness the caller asks for.
 */

/** One process as it last said it was. */
export interface WorkerBeat {
  /** Random per process: a restart is a new worker. */
  id: string;
  /** Its role (api, worker, all, or an event-tier service). */
  role: string;
  /** os.hostname() of its machine. */
  host: string;
  pid: number;
  tier: string;
  /** Where it answers /healthz and /metrics: the API's URL, or its ops port; absent when it has neither. */
  opsUrl?: string;
  /** When the process started its pipeline (ms). */
  startedAt: number;
  /** Its latest beat (ms). */
  seenAt: number;
}

export interface WorkerRegistry {
  /** Writes the process's row, replacing what its last beat wrote. */
  beat(worker: WorkerBeat): Promise<void>;
  /** Removes the process's row; nothing happens when it has none. */
  leave(id: string): Promise<void>;
  /**
   * The processes whose latest beat is within `staleAfterMs` of `now`, the
   * most recently started first. Rows silent for an hour are deleted on the way.
   */
  list(now: number, staleAfterMs: number): Promise<WorkerBeat[]>;
}

/** How long a silent process's row is kept before `list` deletes it. */
export const FORGET_WORKERS_AFTER_MS = 60 * 60 * 1000;
