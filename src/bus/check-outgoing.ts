/**
 * What every adapter checks before publishing, so a message one broker would
 * take and another refuse fails the same way everywhere, before any is sent.
 */
import { ClaypipeError } from "../core/errors.js";
import type { OutgoingMessage } from "./bus.js";

// HTTP's token characters, lower case: safe as a header name on NATS and Kafka.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const MAX_TEXT = 1024;

/** Throws a ClaypipeError (input_invalid) naming the first problem in `messages`. */
export function checkOutgoing(topic: string, messages: readonly OutgoingMessage[]): void {
  for (const message of messages) {
    if (!(message.value instanceof Uint8Array)) {
      invalid(
        topic,
        "a message value is not bytes",
        "encode it (encodeCloudEvent for JSON events)",
      );
    }
    if (!isLine(message.key) || (message.id !== undefined && !isLine(message.id))) {
      invalid(
        topic,
        "a message key or id is not one line of text",
        `keep keys and ids under ${MAX_TEXT} characters, without line breaks`,
      );
    }
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (!isPublishableHeader(name, value)) {
        invalid(
          topic,
          `header ${JSON.stringify(name.slice(0, 40))} is not a lower-case name with a one-line value`,
          "use names of a-z, 0-9, _ . - and values without line breaks",
        );
      }
    }
  }
}

/** A header every adapter can publish (a dead letter keeps only these of the original's). */
export function isPublishableHeader(name: string, value: string): boolean {
  return HEADER_NAME.test(name) && isLine(value);
}

function isLine(text: string): boolean {
  return typeof text === "string" && text.length <= MAX_TEXT && !/[\r\n\0]/.test(text);
}

function invalid(topic: string, what: string, hint: string): never {
  throw new ClaypipeError("input_invalid", `cannot publish to ${topic}: ${what}`, { hint });
}
