/**
 * Progress for long commands: a redrawn bar on a terminal, plain lines
 * (one every few seconds) when output goes to a file or a pipe.
 */
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
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const interactive = stream.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;

  const line = (counts: ProgressCounts): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? counts.done / elapsed : 0;
    const parts = [`${options.label} ${counts.done}${options.total ? `/${options.total}` : ""}`];
    parts.push(`${rate.toFixed(1)}/s`);
    if (options.total && rate > 0 && counts.done < options.total) {
      parts.push(`ETA ${formatDuration(((options.total - counts.done) / rate) * 1000)}`);
    }
    if (counts.note) parts.push(counts.note);
    const text = parts.join(" · ");
    if (!interactive || !options.total) return text;
    const filled = Math.min(BAR_WIDTH, Math.round((counts.done / options.total) * BAR_WIDTH));
    return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${text}`;
  };

  const draw = (counts: ProgressCounts, force: boolean) => {
    const now = Date.now();
    const every = interactive ? REDRAW_MS : (options.plainEveryMs ?? 5000);
    if (!force && now - lastDraw < every) return;
    lastDraw = now;
    stream.write(interactive ? `\r\x1b[2K${line(counts)}` : `${line(counts)}\n`);
  };

  return {
    update: (counts) => draw(counts, false),
    finish: (counts) => {
      draw(counts, true);
      if (interactive) stream.write("\n");
    },
  };
}
