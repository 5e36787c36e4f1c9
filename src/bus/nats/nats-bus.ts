/**
 * The Bus port on NATS JetStream (nats-server 2.9 or later). Topics are
 * streams and groups durable pull consumers (nats-streams.ts); members run in
 * nats-consumer.ts. Publishes carry `Nats-Msg-Id`, so a repeat within the
 * stream's duplicate window is stored once. The client libraries load when a
 * bus is created, never when claypipe is imported.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { ClaypipeError, coerceError } from "../../core/errors.js";
import { importBackend } from "../../core/import-backend.js";
import { createLogger, type Logger } from "../../logging/create-logger.js";
import {
  type Bus,
  type ConsumeOptions,
  type Handler,
  type OutgoingMessage,
  resolveConsumeOptions,
  type TopicLag,
} from "../bus.js";
import { checkOutgoing } from "../check-outgoing.js";
import { runNatsMember } from "./nats-consumer.js";
import { toNatsHeaders } from "./nats-message.js";
import {
  checkTopic,
  consumerInfo,
  durableNameFor,
  ensureConsumer,
  ensureStream,
} from "./nats-streams.js";

export interface NatsBusOptions {
  /** @defaultValue "nats://127.0.0.1:4222" */
  servers?: string | string[];
  /** The connection's name in the server's monitoring. @defaultValue "claypipe" */
  name?: string;
  /** For a server that checks users (with `pass`). */
  user?: string;
  pass?: string;
  /** For a server that checks a token. */
  token?: string;
  /** A delivery not acked (nor reported working) within this goes to another member. @defaultValue 30000 */
  ackWaitMs?: number;
  /** Publishing one id again within this stores it once. @defaultValue 120000 (2 min) */
  duplicateWindowMs?: number;
  /** Messages older than this leave the streams claypipe creates. @defaultValue 7 days */
  maxAgeMs?: number;
  /** Stream replicas, for a clustered server. @defaultValue 1 */
  replicas?: number;
  /** Deliveries a group may hold unacked at once, across its members. @defaultValue 1000 */
  maxAckPending?: number;
  /**
   * Messages a member pulls at once. More is faster with quick handlers, but a
   * pulled message waits in the client, not kept alive, until the member holds
   * fewer than concurrency + pullBatch: keep pullBatch × handler time /
   * concurrency well under ackWaitMs.
   * @defaultValue the group's concurrency
   */
  pullBatch?: number;
  /** How long a publish waits for JetStream's acknowledgement. @defaultValue 5000 */
  publishTimeoutMs?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
}

const NEEDED_BY = "the event tier's NATS bus";
// Publishes in flight at once per publish() call: keeps a large batch from flooding the socket.
const PUBLISH_WINDOW = 256;

export async function createNatsBus(options: NatsBusOptions = {}): Promise<Bus> {
  // Credentials go to connect() only: the settings the bus keeps hold none.
  const { user, pass, token, ...rest } = options;
  const settings = {
    servers: "nats://127.0.0.1:4222",
    name: "claypipe",
    ackWaitMs: 30_000,
    duplicateWindowMs: 120_000,
    maxAgeMs: 7 * 24 * 3600_000,
    replicas: 1,
    maxAckPending: 1000,
    publishTimeoutMs: 5000,
    ...rest,
  };
  const transport = await importBackend(
    "@nats-io/transport-node",
    NEEDED_BY,
    () => import("@nats-io/transport-node"),
  );
  const jetstreamLib = await importBackend(
    "@nats-io/jetstream",
    NEEDED_BY,
    () => import("@nats-io/jetstream"),
  );
  const where = [settings.servers].flat().join(", ");
  let nc: NatsConnection;
  try {
    nc = await transport.connect({
      servers: settings.servers,
      name: settings.name,
      ...definedOnly({ user, pass, token }),
      // A service outlives broker restarts: reconnect for ever, buffering meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (error) {
    throw new ClaypipeError("state_unavailable", `could not reach NATS at ${where}`, {
      hint: "start nats-server with JetStream (`nats-server -js`) or point the bus settings at a running one",
      cause: error,
    });
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamLib.jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw new ClaypipeError("config_invalid", `NATS at ${where} does not offer JetStream`, {
      hint: "start nats-server with -js (or enable JetStream for this account)",
      cause: error,
    });
  }
  return new NatsBus(nc, jsm, jsm.jetstream(), transport.headers, {
    ...settings,
    logger: settings.logger ?? createLogger("silent"),
    where,
  });
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

// JetStream's ack payload (what JsMsg.ack() publishes).
const ACK = "+ACK";
// JetStream's API error for a message over the stream's max_msg_size.
const MESSAGE_TOO_LARGE = 10054;

class NatsBus implements Bus {
  readonly capabilities = { dedupeById: true, keyOrderAcrossMembers: false };
  private readonly streams = new Map<string, Promise<string>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly createHeaders: () => MsgHdrs,
    private readonly settings: Required<
      Omit<NatsBusOptions, "pullBatch" | "user" | "pass" | "token">
    > &
      Pick<NatsBusOptions, "pullBatch"> & { where: string },
  ) {
    // Should the status stream fail, only re-acking after reconnects ends: no unhandled rejection.
    this.watchReconnects().catch(() => undefined);
  }

  /** Tells members each time the connection is back; ends when the connection closes. */
  private async watchReconnects(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "reconnect") for (const listener of this.reconnectListeners) listener();
    }
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.map((topic) => this.streamOf(topic)));
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    checkOutgoing(topic, messages);
    await this.streamOf(topic);
    for (let start = 0; start < messages.length; start += PUBLISH_WINDOW) {
      // One connection keeps publish order, so a window in flight keeps each key's order.
      const window = messages.slice(start, start + PUBLISH_WINDOW);
      await Promise.all(window.map((message) => this.publishOne(topic, message)));
    }
  }

  private async publishOne(topic: string, message: OutgoingMessage): Promise<void> {
    try {
      await this.js.publish(topic, message.value, {
        headers: toNatsHeaders(message, this.createHeaders),
        timeout: this.settings.publishTimeoutMs,
        ...(message.id === undefined ? {} : { msgID: message.id }),
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // The client refuses a message whose body and headers are over the server's max_payload.
      if (error instanceof Error && error.message.includes("max_payload")) {
        throw new ClaypipeError(
          "payload_too_large",
          `a ${message.value.byteLength}-byte message and its headers are over NATS's ${this.nc.info?.max_payload}-byte max_payload`,
          {
            hint: "send smaller messages, or raise max_payload in the nats-server config",
            cause: error,
          },
        );
      }
      if (code === MESSAGE_TOO_LARGE) {
        throw new ClaypipeError(
          "payload_too_large",
          `the stream holding ${topic} refuses a ${message.value.byteLength}-byte message as over its max_msg_size`,
          { hint: "send smaller messages, or raise the stream's max_msg_size", cause: error },
        );
      }
      throw new ClaypipeError(
        "state_unavailable",
        `NATS at ${this.settings.where} did not acknowledge a publish to ${topic}: ${coerceError(error).message}`,
        {
          hint: "check that nats-server is running with JetStream; publishing again is safe (message ids dedupe)",
          cause: error,
        },
      );
    }
  }

  async consume(options: ConsumeOptions, handler: Handler, signal: AbortSignal): Promise<void> {
    const resolved = resolveConsumeOptions(options);
    if (signal.aborted) return;
    const stream = await this.streamOf(resolved.topic);
    await this.streamOf(resolved.deadLetterTopic);
    const durable = await ensureConsumer(this.jsm, stream, resolved.topic, resolved.group, {
      maxDeliver: resolved.maxDeliver + 1,
      ackWaitMs: this.settings.ackWaitMs,
      maxAckPending: this.settings.maxAckPending,
    });
    await runNatsMember(
      {
        js: this.js,
        stream,
        durable,
        options: resolved,
        ackWaitMs: this.settings.ackWaitMs,
        pullBatch: this.settings.pullBatch,
        logger: this.settings.logger,
        publishDeadLetter: (message) => this.publish(resolved.deadLetterTopic, [message]),
        onReconnect: (listener) => {
          this.reconnectListeners.add(listener);
          return () => this.reconnectListeners.delete(listener);
        },
        ackAgain: (reply) => this.nc.publish(reply, ACK),
      },
      handler,
      signal,
    );
  }

  async lag(topic: string, group: string): Promise<TopicLag[]> {
    checkTopic(topic);
    let stream: string;
    try {
      stream = await this.jsm.streams.find(topic);
    } catch (error) {
      if (error instanceof Error && error.name === "StreamNotFoundError") return [];
      throw error;
    }
    const consumer = await consumerInfo(this.jsm, stream, durableNameFor(group));
    let pending: number;
    if (consumer !== undefined) {
      pending = consumer.num_pending + consumer.num_ack_pending;
    } else {
      // A new group starts at the topic's first message: it lags by all of them.
      const info = await this.jsm.streams.info(stream, { subjects_filter: topic });
      pending = info.state.subjects?.[topic] ?? info.state.messages;
    }
    return [{ topic, group, partition: stream, pending }];
  }

  async close(): Promise<void> {
    // Drain sends the acks still buffered before closing.
    await this.nc.drain().catch(() => this.nc.close());
  }

  private streamOf(topic: string): Promise<string> {
    let stream = this.streams.get(topic);
    if (stream === undefined) {
      stream = ensureStream(this.jsm, topic, this.settings);
      this.streams.set(topic, stream);
      stream.catch(() => this.streams.delete(topic));
    }
    return stream;
  }
}
