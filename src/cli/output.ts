/** What the CLI prints for people: results on stdout, problems on stderr. */
import { ClaypipeError, coerceError } from "../core/errors.js";

export function say(text = ""): void {
  process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Prints an error the way a person needs it and sets a failing exit code. */
export function reportFailure(thrown: unknown): void {
  if (thrown instanceof ClaypipeError) {
    warn(`error: ${thrown.describe()}`);
  } else {
    const error = coerceError(thrown);
    warn(`error: ${error.message}`);
    warn("  → this is a bug in claypipe; please report it with the command you ran");
    if (process.env.CLAYPIPE_DEBUG) warn(error.stack ?? "");
  }
  process.exitCode = 1;
}

/** Aligned "label  value" rows, for end-of-run summaries. */
export function formatRows(rows: Array<[string, string | number]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n");
}
