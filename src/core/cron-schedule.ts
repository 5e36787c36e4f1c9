/**
 * A refresh schedule's times: five cron fields read in a time zone, by
 * croner (no dependencies, time zones through Intl, DST handled).
 */
import { Cron } from "croner";
import { echoInput } from "./echo-input.js";

export interface CronSpec {
  schedule: string;
  timezone: string;
}

/** The spec as the store keeps it: a changed cron or time zone resets the next run. */
export function specKey(spec: CronSpec): string {
  return `${spec.schedule} ${spec.timezone}`;
}

/** The first scheduled time after `after` (ms); undefined when the pattern never fires again. */
export function nextRunAfter(spec: CronSpec, after: number): number | undefined {
  const next = cronOf(spec).nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}

/** Why the spec cannot be used, or undefined when it can. */
export function cronProblem(spec: CronSpec): string | undefined {
  if (spec.schedule.trim().split(/\s+/).length !== 5) {
    return `"${echoInput(spec.schedule)}" is not five cron fields (minute hour day month weekday), e.g. "0 3 * * *"`;
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: spec.timezone });
  } catch {
    return `"${echoInput(spec.timezone)}" is not a time zone: use an IANA name such as "UTC" or "Europe/Berlin"`;
  }
  try {
    cronOf(spec);
  } catch (thrown) {
    return `"${echoInput(spec.schedule)}" is not a cron schedule: ${(thrown as Error).message}`;
  }
  return undefined;
}

function cronOf(spec: CronSpec): Cron {
  return new Cron(spec.schedule, { timezone: spec.timezone, paused: true });
}
