/**
 * The direct tier's loop: reads lead records, sends the good ones to Clay with
 * bounded concurrency (reading only as fast as sending, so memory stays flat),
 * reports each bad line, and stops loudly when the table has no capacity left.
 */
import type { SendOutcome } from "../../clay/sender.js";
import { newLeadId } from "../../core/ids.js";
import type { Lead } from "../../core/lead.js";
import type { LeadRecord } from "../../intake/lead-record.js";

export type SendEvent =
  | { type: "sent"; line: number; claypipeId: string }
  | { type: "invalid"; line: number; reason: string }
  | { type: "refused" | "rejected" | "failed"; line: number; claypipeId: string; reason: string };

export interface SendSummary {
  read: number;
  sent: number;
  invalid: number;
  refused: number;
  rejected: number;
  failed: number;
  /** Set when sending stopped early: why, and the first line not sent. */
  stopped?: { reason: string; resumeFromLine: number };
  /** claypipe ids of the rows sent, in send order. */
  sentIds: string[];
}

export interface SendLeadsOptions {
  /** Sends one lead; the direct pipeline binds it to a table's sender. */
  send(lead: Lead, claypipeId: string, signal: AbortSignal): Promise<SendOutcome>;
  concurrency: number;
  /** Skip records that start before this line (resume after a stop). @defaultValue 1 */
  fromLine?: number;
  signal?: AbortSignal;
  onEvent?(event: SendEvent): void;
}

export async function sendLeads(
  records: AsyncIterable<LeadRecord>,
  options: SendLeadsOptions,
): Promise<SendSummary> {
  const summary: SendSummary = {
    read: 0,
    sent: 0,
    invalid: 0,
    refused: 0,
    rejected: 0,
    failed: 0,
    sentIds: [],
  };
  const signal = options.signal ?? new AbortController().signal;
  // No capacity stops the reading; rows already in flight hold reservations and finish.
  let outOfCapacity = false;
  const inFlight = new Set<Promise<void>>();
  let firstUnsentLine: number | undefined;

  const sendOne = async (lead: Lead, line: number): Promise<void> => {
    const claypipeId = newLeadId();
    const outcome = await options.send(lead, claypipeId, signal);
    switch (outcome.status) {
      case "sent":
        summary.sent++;
        summary.sentIds.push(claypipeId);
        options.onEvent?.({ type: "sent", line, claypipeId });
        return;
      case "no_capacity":
        firstUnsentLine = Math.min(firstUnsentLine ?? line, line);
        if (!summary.stopped) summary.stopped = { reason: outcome.reason, resumeFromLine: line };
        outOfCapacity = true;
        return;
      default:
        summary[outcome.status]++;
        options.onEvent?.({ type: outcome.status, line, claypipeId, reason: outcome.reason });
    }
  };

  for await (const record of records) {
    if (record.line < (options.fromLine ?? 1)) continue;
    if (signal.aborted || outOfCapacity) {
      firstUnsentLine = Math.min(firstUnsentLine ?? record.line, record.line);
      break;
    }
    summary.read++;
    if (!record.ok) {
      summary.invalid++;
      options.onEvent?.({ type: "invalid", line: record.line, reason: record.reason });
      continue;
    }
    const task: Promise<void> = sendOne(record.lead, record.line)
      .catch((thrown) => {
        // An abort mid-send leaves the row unsent: resume from it.
        if (signal.aborted) firstUnsentLine = Math.min(firstUnsentLine ?? record.line, record.line);
        else throw thrown;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  if (firstUnsentLine !== undefined) {
    summary.stopped = {
      reason: summary.stopped?.reason ?? "interrupted",
      resumeFromLine: firstUnsentLine,
    };
  }
  return summary;
}
