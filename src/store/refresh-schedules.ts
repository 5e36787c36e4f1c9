/**
 * Where each refresh schedule stands: when it runs next and what its last run
 * did. Processes sharing the store take a run by moving `nextRunAt` with a
 * compare-and-set, so each scheduled time runs once however many processes
 * watch the schedule, and a restart finds the time it missed.
 */

/** What a refresh run did, as `status` shows it. */
export interface RefreshFigures {
  /** When the run started (ms). */
  at: number;
  /** Stale versions the run looked at. */
  examined: number;
  /** Leads sent for re-enrichment. */
  refreshed: number;
  /** Of those, leads the pre-send rules skipped. */
  skipped: number;
  /** Credits the refreshed leads are estimated to cost. */
  estimatedCredits: { actions: number; data: number };
  /** Why it stopped before every stale version: its per-run limit or its share of the credits left. */
  stoppedBy: "maxPerRun" | "credits" | null;
}

export interface RefreshScheduleState {
  name: string;
  /** The cron expression and time zone the stored time was computed from. */
  spec: string;
  nextRunAt: number;
  lastRun: RefreshFigures | null;
}

export interface RefreshSchedules {
  /**
   * The schedule's state, created with `nextRunAt` when missing and reset to
   * it when its spec changed in the config since.
   */
  ensure(name: string, spec: string, nextRunAt: number): Promise<RefreshScheduleState>;
  /** Moves the next run from `dueAt` to `nextRunAt`; false when another process did first. */
  claim(name: string, dueAt: number, nextRunAt: number): Promise<boolean>;
  /** Keeps what a run did. */
  recordRun(name: string, figures: RefreshFigures): Promise<void>;
  list(): Promise<RefreshScheduleState[]>;
}
