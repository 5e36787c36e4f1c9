/**
 * How `claypipe send` names where each record ended up: the progress line and
 * the summary use these same words, and at the end the same numbers.
 */
import type { SendSummary, SendTally } from "../tiers/direct/send-leads.js";

export const TALLY_WORDS = {
  read: "read",
  sent: "sent to Clay",
  repeats: "repeats skipped (no credit)",
  skipped: "skipped by pre-send rules (no credit)",
  notSent: "not sent",
} as const;

/** The progress line's note: "sent to Clay 5 · repeats skipped (no credit) 1 · not sent 3". */
export function tallyNote(tally: SendTally): string {
  const parts = [`${TALLY_WORDS.sent} ${tally.sent}`];
  if (tally.repeats > 0) parts.push(`${TALLY_WORDS.repeats} ${tally.repeats}`);
  if (tally.skipped > 0) parts.push(`${TALLY_WORDS.skipped} ${tally.skipped}`);
  if (tally.notSent > 0) parts.push(`${TALLY_WORDS.notSent} ${tally.notSent}`);
  return parts.join(" · ");
}

/** The summary's rows: the tally, then why rows were not sent. */
export function summaryRows(summary: SendSummary): Array<[string, number]> {
  return [
    [TALLY_WORDS.read, summary.read],
    [TALLY_WORDS.sent, summary.sent],
    [TALLY_WORDS.repeats, summary.repeats],
    ...skippedRow(summary.skipped),
    [TALLY_WORDS.notSent, summary.notSent],
    ["  bad lines", summary.invalid],
    ["  refused (over 100 KB)", summary.refused],
    ["  rejected by Clay", summary.rejected],
    ["  failed after retries", summary.failed],
    ["  held back by the stop", summary.unsent],
  ];
}

/** The skipped row, once a pre-send rule has skipped a lead: configs without rules print as before. */
export function skippedRow(skipped: number): Array<[string, number]> {
  return skipped > 0 ? [[TALLY_WORDS.skipped, skipped]] : [];
}

/** One line: why the run stopped and where to resume. */
export function stopLine(stopped: NonNullable<SendSummary["stopped"]>): string {
  const reason = stopped.reason.endsWith(".") ? stopped.reason.slice(0, -1) : stopped.reason;
  return `stopped: ${reason}; nothing more was sent; resume with --from-line ${stopped.resumeFromLine}`;
}

/** One line: --from-line points past the file's last record, so nothing was read. */
export function pastEndLine(fromLine: number, lastLine: number): string {
  const where =
    lastLine === 0
      ? "the file has no records"
      : `the file's last record starts on line ${lastLine}`;
  return `${where}: --from-line ${fromLine} is past its end; nothing was read`;
}
