/**
 * How leads travel from the store's outbox to Clay. The pipeline builds the
 * send handler (what to do with one lead); a transport only decides when and
 * where it runs. The store stays the source of truth (each lead's state), so a
 * transport carries work and never decides a lead's fate. The embedded one
 * (standard tier) claims due leads from the store in this process; the BullMQ
 * one (queue tier) feeds them into a Redis queue per workspace, from which any
 * number of worker processes take them.
 */
import type { StoredLead } from "../store/lead-store.js";

/** Where one send left its lead. */
export type SendOutcome =
  /** sent: awaiting its callback; waiting: back in the outbox or deferred; moved_on: not this message's to send. */
  | { kind: "sent" | "waiting" | "dead" | "moved_on" }
  /** The send failed; the lead may go again after `delayMs`. */
  | { kind: "retrying"; delayMs: number };

/** The pipeline's work on one lead, built once per pipeline and run by the transport. */
export interface SendHandler {
  /** Takes a lead the transport claimed from the outbox (now `sending`) to Clay. */
  send(lead: StoredLead, signal: AbortSignal): Promise<SendOutcome>;
  /**
   * Claims the lead a message names under a lease of `leaseMs`, then sends it. A lead
   * already `sending` is, with `whenSending: "take_over"` (a queue that gives each lead's
   * one job to one worker at a time), held by a process that stopped mid-send:
   * `recovery.sending` decides. With "leave" (a bus, which may carry a lead twice) it
   * is another process's send: moved_on, and lost sends are found by recoverLostSends.
   */
  claimAndSend(
    leadId: string,
    leaseMs: number,
    signal: AbortSignal,
    whenSending?: "take_over" | "leave",
  ): Promise<SendOutcome>;
  /**
   * Admits a lead another system published (validation, dedupe, the source's table),
   * then claims and sends it as claimAndSend does with "leave". A duplicate is
   * served by its original: moved_on. Invalid fields: dead, with nothing stored.
   */
  admitAndSend(
    fields: Record<string, unknown>,
    source: string | undefined,
    leaseMs: number,
    signal: AbortSignal,
  ): Promise<SendOutcome>;
  /** Applies `recovery.sending` to sends whose lease ran out; resolves with how many it moved. */
  recoverLostSends(): Promise<number>;
  /** Sends of one lead before it is dead: a transport that counts attempts needs at least these. */
  readonly maxSends: number;
}

export interface QueueDepth {
  workspace: string;
  /** Jobs waiting for a worker. */
  waiting: number;
  /** Jobs a worker holds now. */
  active: number;
  /** Jobs waiting for their retry backoff to end. */
  delayed: number;
}

/** A consumer group's backlog on one partition of a topic (a bus transport's). */
export interface ConsumerLag {
  topic: string;
  group: string;
  partition: string;
  /** Messages the group has not acked yet. */
  pending: number;
}

/** A lead the credit budget refused, already dead in the store with reason `budget`. */
export interface BudgetDeadLetter {
  lead: StoredLead;
  /** Which cap refused it, in words. */
  detail: string;
  /** When the refusing cap's next window opens (ms): a replay can afford the lead from then. */
  replayableAfter: number;
}

/** A dead letter read back from a dead-letter topic that names a lead of the store. */
export interface TopicDeadLetter {
  leadId: string;
  reason: string;
}

/** What a replay did with a dead letter's lead: sent it on, found nothing to do, or held it (dead) until its caps open. */
export type TopicDeadLetterVerdict = "replayed" | "skipped" | { heldUntil: number };

/** What one replay of a dead-letter topic did, by message. */
export interface TopicReplayCounts {
  /** Leads sent on again. */
  replayed: number;
  /** Letters whose lead is no longer dead (replayed before, or gone): nothing to do. */
  skipped: number;
  /**
   * Leads their credit caps have no room for yet: they stay dead in the store;
   * the earliest time one of those caps opens its next window (ms).
   */
  heldByBudget?: { leads: number; replayableAfter: number };
  /** Letters of messages that never became leads (bad JSON, failed schema): passed over, by reason. */
  notLeads: Record<string, number>;
}

/**
 * A transport's topic for dead letters (the event tier's `dlq.clay`): where a
 * lead the credit budget refuses goes, instead of waiting deferred.
 */
export interface DeadLetterTopic {
  /** Publishes the lead's dead letter; resolves once the broker acknowledged it. */
  publishBudget(letter: BudgetDeadLetter): Promise<void>;
  /**
   * Reads the topic as a consumer group of its own until it is drained, handing
   * each letter that names a lead to `replay`; resolves with the counts.
   */
  replay(
    replay: (letter: TopicDeadLetter) => Promise<TopicDeadLetterVerdict>,
  ): Promise<TopicReplayCounts>;
}

export interface Transport {
  /** Present when the transport has a dead-letter topic: budget refusals are dead letters there. */
  readonly deadLetterTopic?: DeadLetterTopic;
  /** New leads are in the outbox: carry them now rather than at the next look. */
  notify(): void;
  /**
   * Runs `handler` on due leads until `signal` aborts, then resolves once the
   * sends in flight have finished or been handed back.
   */
  run(handler: SendHandler, signal: AbortSignal): Promise<void>;
  /** Jobs in each workspace's queue; empty for a transport whose queue is the store. */
  depth(): Promise<QueueDepth[]>;
  /** The consumer groups' lag, per partition; empty for a transport that is no bus. */
  lag(): Promise<ConsumerLag[]>;
  /** Frees what the transport holds (connections); after `run` has resolved. */
  close(): Promise<void>;
}
