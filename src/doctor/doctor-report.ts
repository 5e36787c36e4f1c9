/**
 * What `claypipe doctor` (and the dashboard's setup view) reports: one line per
 * check, each ok, warning or error, with what was found and, when it is not
 * ok, what to do.
 *
 * Glossary:
 * - check: one thing verified (a store reached, a key accepted, a cap's room).
 * - group: the part of the setup a check belongs to (config, store, clay, sinks…).
 */

export const DOCTOR_LEVELS = ["ok", "warning", "error"] as const;
export type DoctorLevel = (typeof DOCTOR_LEVELS)[number];

export type DoctorGroup =
  | "config"
  | "store"
  | "queue"
  | "bus"
  | "clay"
  | "callbacks"
  | "sinks"
  | "capacity"
  | "credits";

export interface DoctorCheck {
  group: DoctorGroup;
  /** What was checked, e.g. `store.postgres` or `sinks.crm`. */
  name: string;
  level: DoctorLevel;
  /** What was found, never a secret. */
  found: string;
  /** What to do; set on warnings and errors. */
  hint?: string;
}

export interface DoctorReport {
  /** The config file checked, as an absolute path. */
  config: string;
  /** The config's tier, when the config could be read. */
  tier?: string;
  checks: DoctorCheck[];
  /** The worst level of any check. */
  worst: DoctorLevel;
}

/** The worst of the levels, ok for none. */
export function worstLevel(levels: Iterable<DoctorLevel>): DoctorLevel {
  let worst: DoctorLevel = "ok";
  for (const level of levels) {
    if (DOCTOR_LEVELS.indexOf(level) > DOCTOR_LEVELS.indexOf(worst)) worst = level;
  }
  return worst;
}

/** The process exit code for a report: 0 all ok, 1 any error, 2 warnings only. */
export function doctorExitCode(report: DoctorReport): number {
  return report.worst === "error" ? 1 : report.worst === "warning" ? 2 : 0;
}

export function ok(group: DoctorGroup, name: string, found: string): DoctorCheck {
  return { group, name, level: "ok", found };
}

export function warning(
  group: DoctorGroup,
  name: string,
  found: string,
  hint: string,
): DoctorCheck {
  return { group, name, level: "warning", found, hint };
}

export function error(group: DoctorGroup, name: string, found: string, hint: string): DoctorCheck {
  return { group, name, level: "error", found, hint };
}
