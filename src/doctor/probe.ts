/**
 * A check that talks to something over the network, bounded in time: whatever
 * happens (no answer, a refusal, a bug), it ends within its time limit with
 * lines to report, so the doctor never hangs on an unreachable host.
 */
import { ClaypipeError, coerceError } from "../core/errors.js";
import { type DoctorCheck, type DoctorGroup, error } from "./doctor-report.js";

export interface Probe {
  group: DoctorGroup;
  name: string;
  /** What it reaches, for the messages: a host and port or a URL, never a password. */
  address: string;
  /** What to do when it does not answer. */
  hint: string;
  run(signal: AbortSignal): Promise<DoctorCheck[]>;
}

export async function runProbe(probe: Probe, timeoutMs: number): Promise<DoctorCheck[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<DoctorCheck[]>((done) => {
    timer = setTimeout(() => {
      controller.abort();
      done([
        error(
          probe.group,
          probe.name,
          `no answer from ${probe.address} within ${timeoutMs} ms`,
          probe.hint,
        ),
      ]);
    }, timeoutMs);
  });
  const answered = probe
    .run(controller.signal)
    .catch((thrown: unknown) => [
      error(
        probe.group,
        probe.name,
        `${probe.address}: ${coerceError(thrown).message}`,
        thrown instanceof ClaypipeError && thrown.hint ? thrown.hint : probe.hint,
      ),
    ]);
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
