/**
 * The lifecycle of a lead. Every lead has exactly one state at a time, and
 * every change is recorded with a reason, so "where is it and why" always has
 * an answer.
 *
 * - received: accepted and durably written; gates not yet applied.
 * - duplicate: the same person within the dedupe window; served from the
 *   earlier lead's result (no credit), or waiting for it when still in flight.
 * - skipped: a pre-send rule (`enrichIf`) said it is not worth a credit; never
 *   sent, and routed only to routes that take skipped leads. A person may
 *   requeue it (send it anyway).
 * - deferred: the credit budget or capacity is spent; resumes by itself at
 *   `availableAt` (the next window).
 * - queued: in the outbox, waiting for the sender.
 * - sending: claimed by a sender; the row is being posted to Clay.
 * - awaiting_callback: Clay took the row; waiting for its HTTP API column to
 *   call back before `callbackDeadline`.
 * - retrying: a send or callback wait failed in a way that may pass; back to
 *   the sender at `availableAt`.
 * - enriched: the enriched row is stored; routing and sink delivery follow.
 * - delivered: every sink its routes named has the record (or its own dead letter).
 * - dead: in the DLQ, with its reason; only a replay moves it on. In the event
 *   tier a lead the credit budget refuses is dead as `budget`, replayable once
 *   its caps have room (`availableAt`: the next window).
 */

export const LEAD_STATES = [
  "received",
  "duplicate",
  "skipped",
  "deferred",
  "queued",
  "sending",
  "awaiting_callback",
  "retrying",
  "enriched",
  "delivered",
  "dead",
] as const;

export type LeadState = (typeof LEAD_STATES)[number];

/** Why a lead is dead: stable codes for DLQ filters and replays. */
export const DEAD_REASONS = [
  "rejected_by_clay",
  "payload_too_large",
  "send_failed",
  "no_callback",
  "reconcile_failed",
  "interrupted_send",
  // The event tier's refusal by the credit budget (the other tiers defer instead).
  "budget",
] as const;
export type DeadReason = (typeof DEAD_REASONS)[number];

const NEXT: Record<LeadState, readonly LeadState[]> = {
  received: ["duplicate", "skipped", "deferred", "queued", "dead"],
  duplicate: ["enriched", "queued", "dead"],
  // To itself: routing marks the routes it took.
  skipped: ["skipped", "queued"],
  // A paid-for result is taken whenever it arrives: a callback can beat the
  // sender's own bookkeeping (sending), or answer an earlier attempt of a lead
  // that is waiting to be sent again (queued, deferred).
  deferred: ["queued", "dead", "enriched"],
  queued: ["sending", "deferred", "dead", "enriched"],
  sending: ["awaiting_callback", "retrying", "deferred", "queued", "dead", "enriched"],
  // To itself: reconciling found the row, and the deadline moves while the inbox processes it.
  awaiting_callback: ["awaiting_callback", "enriched", "retrying", "dead"],
  retrying: ["sending", "deferred", "dead", "enriched"],
  enriched: ["delivered", "enriched"],
  delivered: ["enriched"],
  dead: ["queued", "enriched"],
};

export function canTransition(from: LeadState, to: LeadState): boolean {
  return NEXT[from].includes(to);
}

/** States a lead leaves by itself; the others wait for an outside event or a person. */
export const ACTIVE_STATES: readonly LeadState[] = [
  "received",
  "deferred",
  "queued",
  "sending",
  "awaiting_callback",
  "retrying",
  "enriched",
];
