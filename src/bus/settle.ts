/**
 * What every adapter does with a handler's outcome, in one place: ack, deliver
 * again after a delay, dead-letter, or release (leave unacked for the next
 * consumer, when the handler failed because this one is stopping). Adapters
 * only carry the decision out on their broker.
 */
import { coerceError } from "../core/errors.js";
import {
  type BusMessage,
  type ConsumeOptions,
  DEAD_LETTER_HEADERS,
  type OutgoingMessage,
  retryDelayFor,
  type Verdict,
} from "./bus.js";
import { isPublishableHeader } from "./check-outgoing.js";

export type Settlement =
  | { action: "ack" }
  | { action: "retry"; delayMs: number }
  | { action: "deadLetter"; reason: string; error?: string }
  | { action: "release" };

/** Reason of a message whose deliveries ran out. */
export const MAX_DELIVERIES_REASON = "max_deliveries";

export type HandlerOutcome = { verdict: Verdict } | { thrown: unknown };

export function settle(
  outcome: HandlerOutcome,
  deliveryCount: number,
  options: Required<ConsumeOptions>,
  stopping: boolean,
): Settlement {
  const last = deliveryCount >= options.maxDeliver;
  if ("thrown" in outcome) {
    if (stopping) return { action: "release" };
    if (!last) return { action: "retry", delayMs: retryDelayFor(options, deliveryCount) };
    // The error's name or code only: its message may quote personal data.
    return {
      action: "deadLetter",
      reason: MAX_DELIVERIES_REASON,
      error: errorLabel(outcome.thrown),
    };
  }
  const { verdict } = outcome;
  if (verdict === "ack") return { action: "ack" };
  if ("deadLetter" in verdict) return { action: "deadLetter", reason: verdict.deadLetter };
  if (last) return { action: "deadLetter", reason: MAX_DELIVERIES_REASON };
  return { action: "retry", delayMs: Math.max(0, verdict.retryInMs) };
}

function errorLabel(thrown: unknown): string {
  const error = coerceError(thrown);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${error.name} ${code}` : error.name;
}

/**
 * The dead letter of `message`: the original key, body and headers, plus the
 * reason. Its id is derived from where the original is stored (`position`), so
 * publishing it again after a crash is deduped where the broker can.
 */
export function deadLetterMessage(
  message: BusMessage,
  group: string,
  settlement: { reason: string; error?: string },
  position: string,
): OutgoingMessage {
  // A foreign producer's header no broker would take back must not block the dead letter.
  const kept = Object.entries(message.headers).filter(([name, value]) =>
    isPublishableHeader(name, value),
  );
  const headers: Record<string, string> = {
    ...Object.fromEntries(kept),
    [DEAD_LETTER_HEADERS.reason]: settlement.reason,
    [DEAD_LETTER_HEADERS.topic]: message.topic,
    [DEAD_LETTER_HEADERS.group]: group,
    [DEAD_LETTER_HEADERS.deliveries]: String(message.deliveryCount),
  };
  if (settlement.error !== undefined) headers[DEAD_LETTER_HEADERS.error] = settlement.error;
  return {
    key: message.key,
    value: message.value,
    id: `dlq:${group}:${message.topic}:${position}`,
    headers,
  };
}
