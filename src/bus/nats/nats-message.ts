/**
 * Bus messages to and from NATS messages. NATS has no message key: it travels
 * in the `claypipe_key` header. The id travels as `Nats-Msg-Id`, the header
 * JetStream's duplicate detection reads; other `Nats-*` headers are the
 * server's and are not passed to handlers. Header names reach handlers in
 * lower case (they are case-insensitive): a foreign publisher's `Content-Type`
 * is `content-type`.
 */
import type { JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { BusMessage, OutgoingMessage } from "../bus.js";

export const KEY_HEADER = "claypipe_key";
const MSG_ID_HEADER = "Nats-Msg-Id";

export function toNatsHeaders(message: OutgoingMessage, createHeaders: () => MsgHdrs): MsgHdrs {
  const natsHeaders = createHeaders();
  for (const [name, value] of Object.entries(message.headers ?? {})) natsHeaders.set(name, value);
  natsHeaders.set(KEY_HEADER, message.key);
  return natsHeaders;
}

export function fromJsMsg(message: JsMsg, topic: string, stream: string): BusMessage {
  const headers: Record<string, string> = {};
  let key = "";
  let id: string | undefined;
  for (const name of message.headers?.keys() ?? []) {
    const value = message.headers?.get(name) ?? "";
    if (name === KEY_HEADER) key = value;
    else if (name === MSG_ID_HEADER) id = value;
    // Header names are case-insensitive (CloudEvents, HTTP): handlers see them in lower case.
    else if (!name.startsWith("Nats-")) headers[name.toLowerCase()] = value;
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
