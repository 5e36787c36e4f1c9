/**
 * Bus messages as Kafka records: the key is the record key (so one lead's
 * messages share a partition and keep their order), headers are record
 * headers (the CloudEvents `ce_*` attributes among them), and the message id
 * travels in the `claypipe_id` header (Kafka has no id of its own).
 */
import type { BusMessage, OutgoingMessage } from "../bus.js";
import type { KafkaEachMessagePayload, KafkaHeaders, KafkaOutgoing } from "./kafka-client.js";

export const ID_HEADER = "claypipe_id";

export function toKafkaRecord(message: OutgoingMessage): KafkaOutgoing {
  const headers: Record<string, string> = { ...message.headers };
  if (message.id !== undefined) headers[ID_HEADER] = message.id;
  return {
    key: Buffer.from(message.key),
    value: Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength),
    headers,
  };
}

/** The record as a bus message at its first delivery here. */
export function fromKafkaRecord({
  topic,
  partition,
  message,
}: KafkaEachMessagePayload): BusMessage {
  const headers = readHeaders(message.headers);
  const id = headers[ID_HEADER];
  delete headers[ID_HEADER];
  return {
    topic,
    key: message.key?.toString("utf8") ?? "",
    id,
    value: message.value ?? new Uint8Array(0),
    headers,
    deliveryCount: 1,
    partition: String(partition),
  };
}

/** Header values as text; of a header sent twice, the first. */
function readHeaders(headers: KafkaHeaders | undefined): Record<string, string> {
  const read: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) read[name] = first.toString();
  }
  return read;
}
