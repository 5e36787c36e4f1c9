/**
 * The CloudEvents 1.0 envelope of claypipe's bus messages, in binary mode: the
 * attributes travel as `ce_*` headers (the Kafka binding's names; NATS messages
 * carry the same header names) and the body is the event's JSON data, so other
 * teams' consumers can read them with standard tools.
 *
 * Decoding treats every message as hostile: size bounded before parsing, bad
 * UTF-8 or JSON, missing or malformed attributes all throw a CloudEventError
 * whose `reason` a consumer turns into a dead letter, never a crash.
 */

export interface CloudEvent<T = unknown> {
  /** Unique per source; claypipe uses it as the bus message id too, for dedupe. */
  id: string;
  /** A URI-reference naming the producer, e.g. `claypipe/intake`. */
  source: string;
  /** e.g. `com.claypipe.lead.incoming`. */
  type: string;
  /** RFC 3339 timestamp of the occurrence. */
  time?: string;
  /** What the event is about within the source (the lead's id). */
  subject?: string;
  data: T;
}

export type CloudEventErrorReason =
  | "too_large"
  | "bad_json"
  | "missing_attribute"
  | "bad_attribute"
  | "unsupported_specversion"
  | "unsupported_content_type";

/** A message that is not a valid claypipe CloudEvent; `reason` is the dead-letter reason. */
export class CloudEventError extends Error {
  readonly reason: CloudEventErrorReason;

  constructor(reason: CloudEventErrorReason, message: string) {
    super(message);
    this.name = "CloudEventError";
    this.reason = reason;
  }
}

export const CE_HEADERS = {
  id: "ce_id",
  source: "ce_source",
  type: "ce_type",
  specversion: "ce_specversion",
  time: "ce_time",
  subject: "ce_subject",
  contentType: "content-type",
} as const;

const SPEC_VERSION = "1.0";
const JSON_CONTENT_TYPE = "application/json";
/** Body bound when the caller names none: far above a lead or an enriched row. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
const MAX_ATTRIBUTE_LENGTH = 1024;
// RFC 3339 date-time, as CloudEvents requires for `time`.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export interface EncodedEvent {
  value: Uint8Array;
  headers: Record<string, string>;
}

/** The event as a bus message body and headers; throws CloudEventError on an invalid event. */
export function encodeCloudEvent(event: CloudEvent): EncodedEvent {
  const headers: Record<string, string> = {
    [CE_HEADERS.id]: event.id,
    [CE_HEADERS.source]: event.source,
    [CE_HEADERS.type]: event.type,
    [CE_HEADERS.specversion]: SPEC_VERSION,
    [CE_HEADERS.contentType]: JSON_CONTENT_TYPE,
  };
  if (event.time !== undefined) headers[CE_HEADERS.time] = event.time;
  if (event.subject !== undefined) headers[CE_HEADERS.subject] = event.subject;
  readAttributes(headers);
  const json = JSON.stringify(event.data);
  if (json === undefined) throw new CloudEventError("bad_json", "event data is not JSON");
  return { value: new TextEncoder().encode(json), headers };
}

export interface DecodeOptions {
  /** @defaultValue DEFAULT_MAX_EVENT_BYTES */
  maxBytes?: number;
}

/** The event a bus message carries; throws CloudEventError saying what is wrong with it. */
export function decodeCloudEvent(
  message: { value: Uint8Array; headers: Readonly<Record<string, string>> },
  options: DecodeOptions = {},
): CloudEvent {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (message.value.byteLength > maxBytes) {
    throw new CloudEventError(
      "too_large",
      `event body is ${message.value.byteLength} bytes, over the ${maxBytes}-byte bound`,
    );
  }
  const attributes = readAttributes(message.headers);
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(message.value));
  } catch {
    throw new CloudEventError("bad_json", "event body is not UTF-8 JSON");
  }
  return { ...attributes, data };
}

function readAttributes(headers: Readonly<Record<string, string>>): Omit<CloudEvent, "data"> {
  const specversion = headers[CE_HEADERS.specversion];
  if (specversion === undefined) missing(CE_HEADERS.specversion);
  if (specversion !== SPEC_VERSION) {
    throw new CloudEventError(
      "unsupported_specversion",
      `${CE_HEADERS.specversion} must be ${SPEC_VERSION}`,
    );
  }
  const contentType = headers[CE_HEADERS.contentType];
  // A missing content type means JSON (CloudEvents' default for JSON-formatted data).
  if (contentType !== undefined && contentType.split(";")[0]?.trim() !== JSON_CONTENT_TYPE) {
    throw new CloudEventError(
      "unsupported_content_type",
      `content-type must be ${JSON_CONTENT_TYPE}`,
    );
  }
  const event: Omit<CloudEvent, "data"> = {
    id: required(headers, CE_HEADERS.id),
    source: required(headers, CE_HEADERS.source),
    type: required(headers, CE_HEADERS.type),
  };
  const time = optional(headers, CE_HEADERS.time);
  if (time !== undefined) {
    if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
      throw new CloudEventError("bad_attribute", `${CE_HEADERS.time} is not an RFC 3339 time`);
    }
    event.time = time;
  }
  const subject = optional(headers, CE_HEADERS.subject);
  if (subject !== undefined) event.subject = subject;
  return event;
}

function required(headers: Readonly<Record<string, string>>, name: string): string {
  const value = optional(headers, name);
  if (value === undefined) missing(name);
  return value;
}

function optional(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_ATTRIBUTE_LENGTH || /[\r\n\0]/.test(value)) {
    throw new CloudEventError(
      "bad_attribute",
      `${name} must be 1 to ${MAX_ATTRIBUTE_LENGTH} characters on one line`,
    );
  }
  return value;
}

function missing(name: string): never {
  throw new CloudEventError("missing_attribute", `the ${name} attribute is missing`);
}
