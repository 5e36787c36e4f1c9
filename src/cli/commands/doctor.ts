/**
 * `claypipe doctor`: a setup's validation report before it carries real leads.
 * Each line ok, warning or error, with what to do; the exit code follows the
 * worst line (0 all ok, 2 warnings only, 1 any error).
 */
import type { Command } from "commander";
import { type DoctorReport, doctorExitCode } from "../../doctor/doctor-report.js";
import { withConfigOption } from "../config-option.js";
import { say } from "../output.js";
import { parseNumberOption } from "../parse-number-option.js";

const MARKS = { ok: "ok  ", warning: "warn", error: "FAIL" } as const;

export function registerDoctor(program: Command): void {
  withConfigOption(
    program
      .command("doctor")
      .description(
        "check a setup before real leads: config, secrets, store, queue, bus, Clay keys and webhooks, callbacks, sinks, capacity and credits left",
      )
      .option("--json", "print the report as JSON (for CI)")
      .option("--timeout <ms>", "longest wait for any one network check", "5000"),
  ).action(async (options: { config: string; json?: boolean; timeout: string }) => {
    const timeoutMs = parseNumberOption("--timeout", options.timeout, { min: 100, max: 600_000 });
    // Loaded when run: the checks' clients stay out of `claypipe --help`'s start-up.
    const { runDoctor } = await import("../../doctor/run-doctor.js");
    const report = await runDoctor({ configPath: options.config, timeoutMs });
    if (options.json) say(JSON.stringify(report, null, 2));
    else printReport(report);
    process.exitCode = doctorExitCode(report);
  });
}

function printReport(report: DoctorReport): void {
  say(`claypipe doctor: ${report.config}${report.tier ? ` (tier ${report.tier})` : ""}\n`);
  for (const check of report.checks) {
    say(`${MARKS[check.level]}  ${check.name}: ${check.found}`);
    if (check.hint) say(`        → ${check.hint}`);
  }
  const count = (level: string) => report.checks.filter((check) => check.level === level).length;
  say(`\n${count("ok")} ok, ${count("warning")} warnings, ${count("error")} errors`);
}
