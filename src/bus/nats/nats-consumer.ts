/**
 * One member of a group on NATS: pulls from the group's durable consumer, hands
 * messages to the handler (one key at a time, `concurrency` keys at once), and
 * carries out each settlement: ack, nak with a delay, or dead letter (published
 * and acked by JetStream before the original is termed). Messages held longer
 * than the ack wait are kept alive with "working" acks; a stopping member hands
 * back what it has not handled so the next member gets it at once. After the
 * connection comes back (a nats-server restart), the member acks again what it
 * acked lately (recent-acks.ts), so acks the server lost hold nothing back.
 */
import type { Consumer, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { coerceError } from "../../core/errors.js";
import type { Logger } from "../../logging/create-logger.js";
import type { BusMessage, ConsumeOptions, Handler, OutgoingMessage } from "../bus.js";
import { KeyLanes } from "../key-lanes.js";
import { pause } from "../pause.js";
import {
  deadLetterMessage,
  type HandlerOutcome,
  MAX_DELIVERIES_REASON,
  type Settlement,
  settle,
} from "../settle.js";
import { fromJsMsg } from "./nats-message.js";
import { RecentAcks } from "./recent-acks.js";

export interface NatsMemberSettings {
  js: JetStreamClient;
  stream: string;
  durable: string;
  options: Required<ConsumeOptions>;
  ackWaitMs: number;
  /** Messages pulled at once; undefined: the group's concurrency. */
  pullBatch: number | undefined;
  logger: Logger;
  publishDeadLetter(message: OutgoingMessage): Promise<void>;
  /** Calls `listener` each time the connection is back after losing the server; returns the unsubscribe. */
  onReconnect(listener: () => void): () => void;
  /** Publishes an ack to a message's reply subject again. */
  ackAgain(reply: string): void;
}

/** Pause before pulling again after a pull ended or failed (consumer gone, server away). */
const RECOVER_MS = 1000;
/** Acks kept to send again after a reconnect: far above what a group holds unacked (maxAckPending). */
const MAX_RECENT_ACKS = 20_000;

export function runNatsMember(
  settings: NatsMemberSettings,
  handler: Handler,
  signal: AbortSignal,
): Promise<void> {
  return new NatsMember(settings, handler, signal).run();
}

class NatsMember {
  private readonly lanes: KeyLanes;
  /** Messages this member holds, kept alive with "working" acks. */
  private readonly held = new Set<JsMsg>();
  /** Messages handed back at stop, nak'ed once the pull has ended (see release()). */
  private readonly released: JsMsg[] = [];
  private consumer: Consumer | undefined;
  /** Acks not handed to the client yet (see ackSoon()). */
  private readonly acks: JsMsg[] = [];
  private acksTimer: NodeJS.Immediate | undefined;
  private readonly recentAcks: RecentAcks;
  /** The pull loop, waiting for a held message to settle. */
  private loopWaiter: (() => void) | undefined;

  constructor(
    private readonly settings: NatsMemberSettings,
    private readonly handler: Handler,
    private readonly signal: AbortSignal,
  ) {
    this.lanes = new KeyLanes(settings.options.concurrency);
    this.recentAcks = new RecentAcks(settings.ackWaitMs, MAX_RECENT_ACKS);
  }

  async run(): Promise<void> {
    const keepAlive = setInterval(() => {
      for (const message of this.held) message.working();
    }, this.settings.ackWaitMs / 3);
    const stopAckingAgain = this.settings.onReconnect(() => this.ackAgain());
    try {
      while (!this.signal.aborted) {
        try {
          await this.pull();
        } catch (error) {
          if (this.signal.aborted) break;
          this.warn(error, "NATS bus: pulling messages failed; trying again");
        }
        await pause(RECOVER_MS, this.signal);
      }
    } finally {
      await this.lanes.idle();
      clearInterval(keepAlive);
      stopAckingAgain();
      this.sendAcks();
      await this.release();
    }
  }

  private async pull(): Promise<void> {
    const { options, stream } = this.settings;
    const consumer = await this.settings.js.consumers.get(stream, this.settings.durable);
    this.consumer = consumer;
    const pullBatch = this.settings.pullBatch ?? options.concurrency;
    const messages = await consumer.consume({ max_messages: pullBatch });
    const stop = () => {
      void messages.close();
      this.wakeLoop();
    };
    this.signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const jsMsg of messages) {
        if (this.signal.aborted) {
          this.released.push(jsMsg);
          continue;
        }
        this.held.add(jsMsg);
        const message = fromJsMsg(jsMsg, options.topic, stream);
        this.lanes.run(message.key, async () => {
          try {
            await this.handle(jsMsg, message);
          } finally {
            this.held.delete(jsMsg);
            this.wakeLoop();
          }
        });
        // Held: running, or waiting their turn (kept alive meanwhile); a batch more waits in the client.
        while (this.held.size >= options.concurrency + pullBatch && !this.signal.aborted) {
          await new Promise<void>((resolve) => {
            this.loopWaiter = resolve;
          });
        }
      }
    } finally {
      this.signal.removeEventListener("abort", stop);
      stop();
    }
  }

  private wakeLoop(): void {
    this.loopWaiter?.();
    this.loopWaiter = undefined;
  }

  private async handle(jsMsg: JsMsg, message: BusMessage): Promise<void> {
    const { options } = this.settings;
    if (this.signal.aborted) {
      this.released.push(jsMsg);
      return;
    }
    // Past maxDeliver: the last attempt crashed or could not dead-letter; the handler had its turns.
    const settlement: Settlement =
      message.deliveryCount > options.maxDeliver
        ? { action: "deadLetter", reason: MAX_DELIVERIES_REASON }
        : settle(
            await outcomeOf(this.handler, message, this.signal),
            message.deliveryCount,
            options,
            this.signal.aborted,
          );
    switch (settlement.action) {
      case "ack":
        this.ackSoon(jsMsg);
        return;
      case "retry":
        jsMsg.nak(settlement.delayMs);
        return;
      case "release":
        this.released.push(jsMsg);
        return;
      case "deadLetter":
        await this.deadLetter(jsMsg, message, settlement);
    }
  }

  /**
   * Acks at the end of this turn of the event loop, with the others settled in
   * it: the client writes acks issued together in one socket write, where one
   * ack at a time costs a write (a system call) per message.
   */
  private ackSoon(jsMsg: JsMsg): void {
    this.acks.push(jsMsg);
    this.acksTimer ??= setImmediate(() => this.sendAcks());
  }

  private sendAcks(): void {
    clearImmediate(this.acksTimer);
    this.acksTimer = undefined;
    const now = Date.now();
    for (const jsMsg of this.acks.splice(0)) {
      jsMsg.ack();
      const reply = replyOf(jsMsg);
      if (reply !== undefined) this.recentAcks.record(reply, now);
    }
  }

  private ackAgain(): void {
    for (const reply of this.recentAcks.since(Date.now())) this.settings.ackAgain(reply);
  }

  private async deadLetter(
    jsMsg: JsMsg,
    message: BusMessage,
    settlement: { reason: string; error?: string },
  ): Promise<void> {
    const { options, stream } = this.settings;
    try {
      await this.settings.publishDeadLetter(
        deadLetterMessage(message, options.group, settlement, `${stream}:${jsMsg.seq}`),
      );
    } catch (error) {
      // Not dead-lettered: the original stays and comes again.
      this.warn(error, "NATS bus: publishing a dead letter failed; the message will come again");
      jsMsg.nak(options.retryDelaysMs[0]);
      return;
    }
    jsMsg.term();
  }

  /**
   * Naks what the member handed back, after asking for the consumer's info:
   * that makes nats-server drop the ended pull's requests. Nak'ed before, a
   * message goes straight to that dead request; nats-server 2.9 then rewinds
   * the consumer and counts the message twice in its lag, and delivers it twice.
   */
  private async release(): Promise<void> {
    if (this.released.length === 0) return;
    await this.consumer?.info().catch(() => undefined);
    for (const jsMsg of this.released.splice(0)) jsMsg.nak();
  }

  private warn(error: unknown, text: string): void {
    const { topic, group } = this.settings.options;
    this.settings.logger.warn({ topic, group, err: coerceError(error).message }, text);
  }
}

/**
 * The subject a message's ack goes to. The client's JsMsg has it (`reply`)
 * without declaring it; the reconnect test (test/bus/nats-restart.test.ts)
 * fails if a client upgrade drops it.
 */
function replyOf(jsMsg: JsMsg): string | undefined {
  const reply = (jsMsg as JsMsg & { reply?: unknown }).reply;
  return typeof reply === "string" && reply !== "" ? reply : undefined;
}

async function outcomeOf(
  handler: Handler,
  message: BusMessage,
  signal: AbortSignal,
): Promise<HandlerOutcome> {
  try {
    return { verdict: await handler(message, signal) };
  } catch (thrown) {
    return { thrown };
  }
}
