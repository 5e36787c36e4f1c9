/**
 * The direct tier's loop: reads lead records, skips those a pre-send rule
 * (`enrichIf`) turns away and repeats of leads already sent (the dedupe
 * gate), sends the rest to Clay with bounded concurrency
 * (reading only as fast as sending, so memory stays flat), reports each line
 * not sent, and stops loudly when the table has no capacity left or Clay
 * cannot be reached.
 *
 * Every record read ends in exactly one of: sent, repeat (skipped, no credit),
 * skipped by a pre-send rule (no credit), or not sent (a bad line, refused, rejected, failed, or held back by a stop).
 * The progress line and the summary both show these counts.
 */
import type { SendOutcome } from "../../clay/sender.js";
import { newLeadId } from "../../core/ids.js";
import type { Lead } from "../../core/lead.js";
import type { LeadRecord } from "../../intake/files/lead-record.js";

export type SendEvent =
  | { type: "sent"; line: number; claypipeId: string }
  | { type: "repeat"; line: number }
  /** A pre-send rule (enrichIf) turned it away: not sent, no credit. */
  | { type: "skipped"; line: number; rule: string }
  | { type: "invalid"; line: number; reason: string }
  | { type: "refused" | "rejected" | "failed"; line: number; claypipeId: string; reason: string }
  /** Read but held back because the run stopped: resume covers it. */
  | { type: "unsent"; line: number };

/** Where every record read ended up so far: read = sent + repeats + skipped + notSent once nothing is in flight. */
export interface SendTally {
  read: number;
  sent: number;
  /** Leads sent before (within the dedupe window, or earlier in this run): skipped, no credit. */
  repeats: number;
  /** Leads a pre-send rule (enrichIf) turned away: not sent, no credit. */
  skipped: number;
  notSent: number;
}

export interface SendSummary extends SendTally {
  /** The reasons behind notSent. */
  invalid: number;
  refused: number;
  rejected: number;
  failed: number;
  /** Read but held back by the stop. */
  unsent: number;
  /** Set when --from-line is past the last record: the line the last record starts on (0: none). */
  pastEnd?: { lastLine: number };
  /** Set when sending stopped early: why, and the first line not sent. */
  stopped?: { reason: string; resumeFromLine: number };
  /** claypipe ids of the rows sent, in send order. */
  sentIds: string[];
}

/** The dedupe gate, as the direct pipeline binds it to its sent-leads file. */
export interface SendDedupe {
  /** The lead's dedupe key; undefined lets it through unchecked. */
  keyOf(lead: Lead): string | undefined;
  /** Was a lead with this key sent within the window? */
  seen(key: string): boolean;
  /** Remembers a lead as sent. */
  remember(key: string): Promise<void>;
}

export interface SendLeadsOptions {
  /** Sends one lead; the direct pipeline binds it to a table's sender. */
  send(lead: Lead, claypipeId: string, signal: AbortSignal): Promise<SendOutcome>;
  concurrency: number;
  dedupe?: SendDedupe;
  /** The pre-send rule that turns the lead away, if any. @defaultValue none: every lead goes */
  skippedBy?(lead: Lead): string | undefined;
  /** Skip records that start before this line (resume after a stop). @defaultValue 1 */
  fromLine?: number;
  signal?: AbortSignal;
  onEvent?(event: SendEvent, tally: Readonly<SendTally>): void;
}

export async function sendLeads(
  records: AsyncIterable<LeadRecord>,
  options: SendLeadsOptions,
): Promise<SendSummary> {
  const summary: SendSummary = {
    read: 0,
    sent: 0,
    repeats: 0,
    skipped: 0,
    notSent: 0,
    invalid: 0,
    refused: 0,
    rejected: 0,
    failed: 0,
    unsent: 0,
    sentIds: [],
  };
  const signal = options.signal ?? new AbortController().signal;
  const dedupe = options.dedupe;
  // A stop ends the reading; rows already in flight finish (or stop at their next try).
  let stopReason: string | undefined;
  const inFlight = new Set<Promise<void>>();
  // Keys of leads in flight: a repeat inside the file waits for no one, it is skipped.
  const pending = new Set<string>();
  let firstUnsentLine: number | undefined;

  const emit = (event: SendEvent) => options.onEvent?.(event, summary);
  const holdBack = (line: number, reason?: string) => {
    firstUnsentLine = Math.min(firstUnsentLine ?? line, line);
    if (reason !== undefined && stopReason === undefined) stopReason = reason;
    summary.unsent++;
    summary.notSent++;
    emit({ type: "unsent", line });
  };

  const sendOne = async (lead: Lead, line: number, key: string | undefined): Promise<void> => {
    const claypipeId = newLeadId();
    let outcome: SendOutcome;
    try {
      outcome = await options.send(lead, claypipeId, signal);
    } finally {
      if (key !== undefined) pending.delete(key);
    }
    switch (outcome.status) {
      case "sent":
        if (key !== undefined) await dedupe?.remember(key);
        summary.sent++;
        summary.sentIds.push(claypipeId);
        emit({ type: "sent", line, claypipeId });
        return;
      case "no_capacity":
        holdBack(line, outcome.reason);
        return;
      case "failed":
        // The breaker stopped it (Clay keeps failing), or it never reached Clay:
        // it waits for the resume instead of counting as failed. One that reached
        // Clay with a 5xx and is sent again on resume may make a second row; its
        // reservation stays counted, the safe side.
        if (outcome.gateClosed || !outcome.reachedClay) {
          holdBack(line, outcome.reason);
          return;
        }
        break;
      default:
        break;
    }
    summary[outcome.status]++;
    summary.notSent++;
    emit({ type: outcome.status, line, claypipeId, reason: outcome.reason });
  };

  let lastLine = 0;
  for await (const record of records) {
    lastLine = Math.max(lastLine, record.line);
    if (record.line < (options.fromLine ?? 1)) continue;
    if (signal.aborted || stopReason !== undefined) {
      firstUnsentLine = Math.min(firstUnsentLine ?? record.line, record.line);
      break;
    }
    summary.read++;
    if (!record.ok) {
      summary.invalid++;
      summary.notSent++;
      emit({ type: "invalid", line: record.line, reason: record.reason });
      continue;
    }
    const rule = options.skippedBy?.(record.lead);
    if (rule !== undefined) {
      summary.skipped++;
      emit({ type: "skipped", line: record.line, rule });
      continue;
    }
    const key = dedupe?.keyOf(record.lead);
    if (key !== undefined && (pending.has(key) || dedupe?.seen(key))) {
      summary.repeats++;
      emit({ type: "repeat", line: record.line });
      continue;
    }
    if (key !== undefined) pending.add(key);
    const task: Promise<void> = sendOne(record.lead, record.line, key)
      .catch((thrown) => {
        // An abort mid-send leaves the row unsent: resume from it.
        if (signal.aborted) holdBack(record.line);
        else throw thrown;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  if (options.fromLine !== undefined && options.fromLine > lastLine) summary.pastEnd = { lastLine };
  if (firstUnsentLine !== undefined) {
    summary.stopped = {
      reason: stopReason ?? "interrupted",
      resumeFromLine: firstUnsentLine,
    };
  }
  return summary;
}
