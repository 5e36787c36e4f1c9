/**
 * The event tier's transport: leads travel on the bus's incoming topic, and
 * any number of enricher processes, one consumer group, take them. The store
 * stays the outbox: a feeder leases due leads (their availableAt moves on,
 * their state stays) and publishes a reference to each; an enricher claims the
 * lead a message names and runs the pipeline's send handler on it. A lead
 * another system published (its fields) is admitted first, like any intake
 * lead; a message that is neither goes to the dead-letter topic with its
 * reason (bus/topics/dead-letter-event.ts), and the topic moves on. A message
 * the bus lost, or a lead that is due again after a failed send, is fed again
 * when its lease ends. A bus may carry a lead twice, so an enricher leaves a
 * lead another one is sending (`whenSending: "leave"`); a send whose process
 * died is found by the lost-send sweep once its lease ends.
 *
 * A lead the credit budget refuses is dead in the store and a `budget` dead
 * letter on the dead-letter topic, published before the enricher acks the
 * message that carried it (bus-dead-letter-topic.ts).
 *
 * Feeding stops while the group already has `queue.lookahead` messages
 * pending per workspace, so a backlog waits in the store, not on the bus; a
 * finished send wakes the feeder, so the topic is refilled as sends free room.
 */
import type { Bus, BusMessage } from "../../bus/bus.js";
import { decodeIncomingLead, encodeIncomingLead } from "../../bus/topics/lead-incoming.js";
import { readOrDeadLetter } from "../../bus/topics/read-or-dead-letter.js";
import type { ClaypipeConfig, QueueConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import { type LoopOptions, runLoop } from "../../core/run-loop.js";
import type { Logger } from "../../logging/create-logger.js";
import type { Store } from "../../store/store.js";
import { leaseByLanes, workspaceLanes } from "../priority-lanes.js";
import type { SendHandler, Transport } from "../transport.js";
import { createBusDeadLetterTopic } from "./bus-dead-letter-topic.js";

export interface BusTransportOptions {
  config: ClaypipeConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Opened by the tier; the transport closes it. */
  bus: Bus;
  /** Feeds the topic from the outbox (every role); works on its messages (enrichers). */
  role: { feed: boolean; work: boolean };
}

/** Looks for sends with no process left this often, or each sendLease when that is shorter. */
const LOST_SEND_SWEEP_MS = 30_000;
/** Deliveries of one message: an enricher that cannot reach the store or Redis tries again. */
const MAX_DELIVER = 10;
/**
 * A finished send leaves room on the bus: the feeder is woken after it, at most
 * this often, so the topic is refilled before the enrichers run dry without a
 * lag query per message.
 */
const FEED_WAKE_MS = 50;

export function createBusTransport(options: BusTransportOptions): Transport {
  const { config, store, clock, logger, bus, role } = options;
  // check-config has made sure the event tier has both.
  const queue = config.queue as QueueConfig;
  const { topics, enricherGroup } = config.bus as NonNullable<ClaypipeConfig["bus"]>;
  const workspaces = config.clay.workspaces;
  const lookahead = queue.lookahead * workspaces.length;
  const newWork = new Set<() => void>();
  const wakeFeeder = () => {
    for (const wake of newWork) wake();
  };
  let feedWake: NodeJS.Timeout | undefined;
  const wakeFeederSoon = () => {
    feedWake ??= setTimeout(() => {
      feedWake = undefined;
      wakeFeeder();
    }, FEED_WAKE_MS);
  };

  const feedLeaseMs = (perSecond: number) =>
    // As long as a full lookahead takes to send, twice, and never under two lock durations.
    Math.max(2 * queue.lockDuration, Math.ceil((2_000 * queue.lookahead) / perSecond));

  const pending = async () =>
    (await bus.lag(topics.incoming, enricherGroup)).reduce((sum, lag) => sum + lag.pending, 0);

  /** One pass: fills the topic up to the lookahead from the outbox; resolves with how many it fed. */
  const feed = async (): Promise<number> => {
    let room = lookahead - (await pending());
    // Refill at half empty, not after every message: one outbox query feeds many.
    if (room < Math.ceil(lookahead / 2)) return 0;
    let fed = 0;
    for (const workspace of workspaces) {
      if (room <= 0) break;
      const now = clock.now();
      const until = now + feedLeaseMs(workspace.rateLimit.perSecond);
      const limit = Math.min(room, queue.lookahead);
      const ids = await leaseByLanes(
        store.leads,
        { workspace: workspace.name, now, until },
        workspaceLanes(config, workspace.name),
        limit,
      );
      if (ids.length === 0) continue;
      const leads = await Promise.all(ids.map((id) => store.leads.get(id)));
      const time = new Date(now).toISOString();
      await bus.publish(
        topics.incoming,
        leads.flatMap((lead) =>
          lead
            ? [
                encodeIncomingLead(
                  { leadId: lead.id, workspace: lead.workspace, table: lead.table },
                  // One id per feed: a broker drops a repeat of this feed, not the next feed of a lead due again.
                  { key: lead.identityKey, time, id: `incoming:${lead.id}@${until}` },
                ),
              ]
            : [],
        ),
      );
      room -= ids.length;
      fed += ids.length;
    }
    return fed;
  };

  const work = (handler: SendHandler, stop: AbortSignal, handBack: AbortSignal) =>
    bus.consume(
      {
        topic: topics.incoming,
        group: enricherGroup,
        deadLetterTopic: topics.deadLetters,
        maxDeliver: MAX_DELIVER,
        concurrency: config.sender.concurrency,
      },
      async (message) => {
        const lead = await readIncoming(message);
        if (lead === undefined) return "ack";
        // Whatever the outcome, the store holds it: a retry is fed again when it is due.
        if ("leadId" in lead) {
          await handler.claimAndSend(lead.leadId, queue.sendLease, handBack, "leave");
        } else {
          await handler.admitAndSend(lead.fields, lead.source, queue.sendLease, handBack);
        }
        wakeFeederSoon();
        return "ack";
      },
      stop,
    );

  /** The lead a message carries; undefined once one that is not a lead is in the dead-letter topic. */
  const readIncoming = async (message: BusMessage) =>
    (await readOrDeadLetter(bus, topics.deadLetters, message, decodeIncomingLead, clock.now()))
      ?.data;

  return {
    deadLetterTopic: createBusDeadLetterTopic({
      bus,
      topic: topics.deadLetters,
      enricherGroup,
      clock,
    }),
    notify: wakeFeeder,
    async run(handler, signal) {
      await bus.ensureTopics([topics.incoming, topics.deadLetters]);
      const loop = (loopOptions: Omit<LoopOptions, "clock" | "logger">) =>
        runLoop({ ...loopOptions, clock, logger }, signal);
      const loops: Promise<unknown>[] = [];
      if (role.feed) {
        loops.push(
          loop({
            name: "feed",
            step: feed,
            idleMs: 500,
            wake: (listener) => {
              newWork.add(listener);
              return () => newWork.delete(listener);
            },
          }),
        );
      }
      if (role.work) {
        loops.push(
          loop({
            name: "lost-sends",
            idleMs: Math.min(LOST_SEND_SWEEP_MS, queue.sendLease),
            step: () => handler.recoverLostSends(),
          }),
        );
        // On stop: take no more messages, let the sends in flight finish for shutdownGrace, then cut them off.
        const handBack = new AbortController();
        let graceTimer: NodeJS.Timeout | undefined;
        signal.addEventListener(
          "abort",
          () => {
            graceTimer = setTimeout(() => handBack.abort(), queue.shutdownGrace);
          },
          { once: true },
        );
        loops.push(work(handler, signal, handBack.signal).finally(() => clearTimeout(graceTimer)));
      }
      await Promise.all(loops);
    },
    // The bus shows its backlog as consumer lag; the outbox's is `status.states.queued`.
    depth: async () => [],
    lag: () => bus.lag(topics.incoming, enricherGroup),
    close() {
      clearTimeout(feedWake);
      return bus.close();
    },
  };
}
