/**
 * Refresh runs: `claypipe refresh --dry-run` plans one, `--now` runs one, and
 * the refresh step runs each schedule at its cron times. A scheduled time is
 * taken by compare-and-set on the store, so it runs once however many
 * processes watch it, and a time missed while no process ran is run once at
 * the next start. A run admits its leads in the refresh lane; they are sent,
 * enriched and routed like any lead, and carry what changed since their
 * earlier version.
 */
import type { RefreshScheduleConfig } from "../config/refresh-schema.js";
import { resolveTable } from "../config/resolve-table.js";
import { nextRunAfter, specKey } from "../core/cron-schedule.js";
import { ClaypipeError } from "../core/errors.js";
import type {
  Admission,
  RefreshFigures,
  RefreshScheduleState,
  StoredLead,
} from "../store/store.js";
import type { PipelineContext } from "./pipeline-context.js";
import { planRefresh, type RefreshPlan } from "./refresh-plan.js";

/** A schedule as `status` shows it. */
export interface RefreshScheduleStatus {
  name: string;
  nextRunAt: number | null;
  lastRun: RefreshFigures | null;
}

export interface RefreshRuns {
  /** What a run of the schedule would renew now, and its estimated credits; sends nothing. */
  plan(schedule: string): Promise<RefreshPlan>;
  /** Runs the schedule once now, outside its cron times (which stay as they are). */
  runNow(schedule: string): Promise<RefreshFigures>;
  /** Runs every schedule whose time has come; resolves with how many ran. */
  runDue(signal: AbortSignal): Promise<number>;
  status(): Promise<RefreshScheduleStatus[]>;
}

/** A pattern that never fires again waits for ever (the config check refuses most such). */
const NEVER = Number.MAX_SAFE_INTEGER;

export function createRefreshRuns(
  ctx: Pick<PipelineContext, "config" | "store" | "clock" | "logger">,
  /** Intake's refresh admission (intake-service.ts). */
  intake: {
    refresh(
      versions: readonly StoredLead[],
      schedule: string,
      sendTo?: { workspace: string; table: string },
    ): Promise<Admission[]>;
  },
  onAdmitted: () => void,
): RefreshRuns {
  const { config, store, clock, logger } = ctx;
  const scheduleOf = (name: string): RefreshScheduleConfig => {
    const found = config.refresh.find((schedule) => schedule.name === name);
    if (found) return found;
    const names = config.refresh.map((schedule) => schedule.name);
    throw new ClaypipeError("input_invalid", `no refresh schedule is named "${name}"`, {
      hint:
        names.length > 0
          ? `name one of: ${names.join(", ")}`
          : "add a schedule under refresh: in the config (see docs/refresh.md)",
    });
  };
  const nextAfter = (schedule: RefreshScheduleConfig, at: number) =>
    nextRunAfter(schedule, at) ?? NEVER;
  const ensure = (schedule: RefreshScheduleConfig): Promise<RefreshScheduleState> =>
    store.refreshSchedules.ensure(
      schedule.name,
      specKey(schedule),
      nextAfter(schedule, clock.now()),
    );

  const sendToOf = (schedule: RefreshScheduleConfig) => {
    if (schedule.sendTo === undefined) return undefined;
    const { workspace, table } = resolveTable(config, schedule.sendTo);
    return { workspace: workspace.name, table: table.name };
  };

  const run = async (schedule: RefreshScheduleConfig): Promise<RefreshFigures> => {
    const at = clock.now();
    const plan = await planRefresh(config, store, schedule, at);
    const admissions = await intake.refresh(plan.leads, schedule.name, sendToOf(schedule));
    if (admissions.length > 0) onAdmitted();
    const figures: RefreshFigures = {
      at,
      examined: plan.examined,
      refreshed: admissions.length,
      skipped: admissions.filter((admission) => admission.state !== "queued").length,
      estimatedCredits: plan.estimatedCredits,
      stoppedBy: plan.stoppedBy,
    };
    await store.refreshSchedules.recordRun(schedule.name, figures);
    logger.info({ schedule: schedule.name, ...figures }, "refresh run");
    return figures;
  };

  return {
    plan: (name) => planRefresh(config, store, scheduleOf(name), clock.now()),
    async runNow(name) {
      const schedule = scheduleOf(name);
      await ensure(schedule);
      return run(schedule);
    },
    async runDue(signal) {
      let ran = 0;
      for (const schedule of config.refresh) {
        if (signal.aborted) break;
        const state = await ensure(schedule);
        const now = clock.now();
        if (state.nextRunAt > now) continue;
        // Only the process that moves the time on runs it.
        if (
          !(await store.refreshSchedules.claim(
            schedule.name,
            state.nextRunAt,
            nextAfter(schedule, now),
          ))
        )
          continue;
        await run(schedule);
        ran += 1;
      }
      return ran;
    },
    async status() {
      const stored = new Map(
        (await store.refreshSchedules.list()).map((state) => [state.name, state]),
      );
      return config.refresh.map((schedule) => {
        const state = stored.get(schedule.name);
        const nextRunAt =
          state && state.spec === specKey(schedule)
            ? state.nextRunAt
            : nextAfter(schedule, clock.now());
        return {
          name: schedule.name,
          nextRunAt: nextRunAt === NEVER ? null : nextRunAt,
          lastRun: state?.lastRun ?? null,
        };
      });
    },
  };
}
