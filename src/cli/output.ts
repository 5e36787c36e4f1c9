/** What the CLI prints for people: results on stdout, problems on stderr. */
import { ClaypipeError, coerceError } from "../core/errors.js";

const closedListeners: Array<() => void> = [];
let outputClosed = false;

/**
 * A reader that goes away (`claypipe status | head -1`) closes our stdout or
 * stderr: Node reports EPIPE as an error event, which unheard ends the process
 * with a stack trace. Heard here, the stream is dropped quietly, what was left
 * to print is not printed, and long commands stop as on Ctrl-C (onOutputClosed).
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      if (outputClosed) return;
      outputClosed = true;
      for (const listener of closedListeners.splice(0)) listener();
    });
  }
}

/** Calls `stop` once if stdout or stderr closes under the command. */
export function onOutputClosed(stop: () => void): void {
  if (outputClosed) stop();
  else closedListeners.push(stop);
}

export function say(text = ""): void {
  if (process.stdout.writable) process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  if (process.stderr.writable) process.stderr.write(`${text}\n`);
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
