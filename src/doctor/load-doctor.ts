/**
 * The library entry's `runDoctor`: it loads the checks (every probe and the
 * config schema's checks) on the first call, so importing claypipe loads none.
 */
import type { DoctorReport } from "./doctor-report.js";
import type { DoctorOptions } from "./run-doctor.js";

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  return (await import("./run-doctor.js")).runDoctor(options);
}
