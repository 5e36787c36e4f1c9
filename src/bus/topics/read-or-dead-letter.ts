/**
 * Reads a consumed message with its topic's codec; a message that is not one
 * of the topic's events goes to the dead-letter topic with the reason, so it
 * never blocks its partition, and the caller acks it.
 */
import type { Bus, BusMessage } from "../bus.js";
import { deadLetterOfMessage } from "./dead-letter-event.js";
import { TopicMessageError } from "./topic-error.js";

/** The decoded message; undefined once it is in `deadLetterTopic`. */
export async function readOrDeadLetter<T>(
  bus: Bus,
  deadLetterTopic: string,
  message: BusMessage,
  decode: (message: BusMessage) => T,
  now: number,
): Promise<T | undefined> {
  try {
    return decode(message);
  } catch (error) {
    if (!(error instanceof TopicMessageError)) throw error;
    await bus.publish(deadLetterTopic, [
      deadLetterOfMessage(message, error, new Date(now).toISOString()),
    ]);
    return undefined;
  }
}
