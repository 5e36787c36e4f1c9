/**
 * Progress for long commands: a redrawn bar on a terminal, plain lines
 * (one every few seconds) when output goes to a file or a pipe. Other lines
 * meant for the same stream (warnings, log lines) go through `print`, which on
 * a terminal clears the bar, writes the line above it and draws the bar again,
 * so the two never mix on one line. On a terminal a log line is shown as a
 * person reads it ("warning: …"), not as the JSON a log collector wants.
 */
import { Writable } from "node:stream";
import { formatDuration } from "../core/duration.js";

export interface ProgressCounts {
  done: number;
  /** Shown after the rate, e.g. "3 bad lines". */
  note?: string;
}

export interface ProgressOptions {
  label: string;
  /** Expected total; the bar and ETA need it. */
  total?: number;
  stream?: NodeJS.WriteStream;
  /** Milliseconds between plain lines when not on a terminal. @defaultValue 5000 */
  plainEveryMs?: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  finish(counts: ProgressCounts): void;
  /** Writes one line of other text without breaking the bar: above it on a terminal. */
  print(text: string): void;
  /** A stream for the logger: each log line goes through `print`. */
  readonly logStream: NodeJS.WritableStream;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const CLEAR_LINE = "\r\x1b[2K";
/** pino's numeric levels, as words. */
const LEVEL_WORDS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warning",
  50: "error",
  60: "fatal",
};

/** A JSON log line as "level: message"; any other text as it is. */
export function humanLogLine(text: string): string {
  if (!text.startsWith("{")) return text;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof entry !== "object" || entry === null) return text;
  const { level, msg } = entry as { level?: unknown; msg?: unknown };
  if (typeof level !== "number" || typeof msg !== "string") return text;
  return `${LEVEL_WORDS[level] ?? "log"}: ${msg}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const interactive = stream.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  // The bar on screen now, to draw again after a printed line; none before the first draw or after finish.
  let shown: string | undefined;

  const line = (counts: ProgressCounts, final: boolean): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? counts.done / elapsed : 0;
    const parts = [`${options.label} ${counts.done}${options.total ? `/${options.total}` : ""}`];
    parts.push(`${rate.toFixed(1)}/s`);
    // A run that ends early (stopped, interrupted) has no time left to estimate.
    if (!final && options.total && rate > 0 && counts.done < options.total) {
      parts.push(`ETA ${formatDuration(((options.total - counts.done) / rate) * 1000)}`);
    }
    if (counts.note) parts.push(counts.note);
    const text = parts.join(" · ");
    if (!interactive || !options.total) return text;
    const filled = Math.min(BAR_WIDTH, Math.round((counts.done / options.total) * BAR_WIDTH));
    return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${text}`;
  };

  const draw = (counts: ProgressCounts, final: boolean) => {
    const now = Date.now();
    const every = interactive ? REDRAW_MS : (options.plainEveryMs ?? 5000);
    if (!final && now - lastDraw < every) return;
    lastDraw = now;
    const text = line(counts, final);
    if (interactive) shown = text;
    stream.write(interactive ? `${CLEAR_LINE}${text}` : `${text}\n`);
  };

  const print = (text: string) => {
    if (shown === undefined) stream.write(`${text}\n`);
    else stream.write(`${CLEAR_LINE}${text}\n${shown}`);
  };

  return {
    update: (counts) => draw(counts, false),
    finish: (counts) => {
      draw(counts, true);
      if (interactive) stream.write("\n");
      shown = undefined;
    },
    print,
    logStream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        for (const text of chunk.toString().split("\n")) {
          if (text !== "") print(interactive ? humanLogLine(text) : text);
        }
        done();
      },
    }),
  };
}
