/** `claypipe status` on the direct tier: capacity left, what was sent, repeats and leads the pre-send rules skipped. */
import { formatDuration } from "../core/duration.js";
import type { DirectStatus } from "../tiers/direct/direct-pipeline.js";
import { printCapacity } from "./describe-pool.js";
import { formatRows, say } from "./output.js";
import { skippedRow, stopLine, TALLY_WORDS } from "./send-report.js";

const DAY_MS = 86_400_000;

function windowText(ms: number): string {
  return ms >= DAY_MS && ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : formatDuration(ms);
}

export function printDirectStatus(status: DirectStatus): void {
  say("tier: direct (no store: the state directory keeps counters and what was sent)");
  printCapacity(status.capacity);
  const { lastRun, totals } = status.history;
  say("\nsent so far");
  say(
    formatRows([
      ["runs", totals.runs],
      [TALLY_WORDS.sent, totals.sent],
      [TALLY_WORDS.repeats, totals.repeats],
      ...skippedRow(totals.skipped),
      [TALLY_WORDS.notSent, totals.notSent],
      [
        `leads remembered for dedupe (sent in the last ${windowText(status.dedupe.windowMs)})`,
        status.dedupe.remembered,
      ],
    ]),
  );
  if (!lastRun) {
    say("\nlast run: none yet (run `claypipe send leads.csv`)");
    return;
  }
  say(
    `\nlast run: claypipe ${lastRun.command} to ${lastRun.table}, finished ${new Date(lastRun.finishedAt).toISOString()}`,
  );
  say(
    formatRows([
      [TALLY_WORDS.read, lastRun.read],
      [TALLY_WORDS.sent, lastRun.sent],
      [TALLY_WORDS.repeats, lastRun.repeats],
      ...skippedRow(lastRun.skipped ?? 0),
      [TALLY_WORDS.notSent, lastRun.notSent],
    ]),
  );
  if (lastRun.stopped) say(`  ${stopLine(lastRun.stopped)}`);
}
