/**
 * Bus messages to and from NATS messages. NATS has no message key: it travels
 * in the `claypipe_key` header. The id travels as `Nats-Msg-Id`, the header
 * JetStream's duplicate detection reads; other `Nats-*` headers are the
 * server's and are not passed to handlers. Header names reach handlers in
 * lower case (they are case-insensitive): a foreign publisher's `Content-Type`
 * is `content-type`. CloudEvents attributes travel as `ce-*` headers, as the
 * CloudEvents NATS binding names them (the envelope's `ce_*` are Kafka's), so
 * other teams' CloudEvents SDKs read them as they are.
 */
import type { JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { BusMessage, OutgoingMessage } from "../bus.js";

export const KEY_HEADER = "claypipe_key";
const MSG_ID_HEADER = "Nats-Msg-Id";
const ENVELOPE_PREFIX = "ce_";
const NATS_BINDING_PREFIX = "ce-";

/** `ce_id` → `ce-id` on the wire; other names as they are. */
function toWireName(name: string): string {
  return name.startsWith(ENVELOPE_PREFIX)
    ? NATS_BINDING_PREFIX + name.slice(ENVELOPE_PREFIX.length)
    : name;
}

/** `ce-id` → `ce_id` for handlers, whatever the case the publisher used. */
function fromWireName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith(NATS_BINDING_PREFIX)
    ? ENVELOPE_PREFIX + lower.slice(NATS_BINDING_PREFIX.length)
    : lower;
}

export function toNatsHeaders(message: OutgoingMessage, createHeaders: () => MsgHdrs): MsgHdrs {
  const natsHeaders = createHeaders();
  for (const [name, value] of Object.entries(message.headers ?? {}))
    natsHeaders.set(toWireName(name), value);
  natsHeaders.set(KEY_HEADER, message.key);
  return natsHeaders;
}

export function fromJsMsg(message: JsMsg, topic: string, stream: string): BusMessage {
  const headers: Record<string, string> = {};
  let key = "";
  let id: string | undefined;
  // Entries, not keys() and get(): each get() lists and filters every name again.
  for (const [name, values] of message.headers ?? []) {
    const value = values[0] ?? "";
    if (name === KEY_HEADER) key = value;
    else if (name === MSG_ID_HEADER) id = value;
    // Header names are case-insensitive (CloudEvents, HTTP): handlers see them in lower case.
    else if (!name.startsWith("Nats-")) headers[fromWireName(name)] = value;
  }
  return {
    topic,
    key,
    id,
    value: message.data,
    headers,
    deliveryCount: message.info.deliveryCount,
    partition: stream,
  };
}
