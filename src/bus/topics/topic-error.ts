/**
 * The one error a topic's decoder throws: whatever is wrong with a message
 * (its envelope, its type, its data), `reason` is the dead-letter reason the
 * consumer publishes it to `dlq.clay` with, and `issues` name the fields.
 */
import { echoInput } from "../../core/echo-input.js";
import type { LeadIssue } from "../../core/lead.js";
import type { CloudEventError } from "../cloud-event.js";

/** The dead-letter reasons a message itself can earn (see dead-letter-event.ts for all of them). */
export type MessageErrorReason = "bad_message" | "schema" | "too_large";

/** One thing wrong with a message: `path` is the field in the data ("fields.email"), "" for all of it. */
export type MessageIssue = LeadIssue;

// An error names a few issues: a hostile message can hold thousands.
const MAX_ISSUES = 10;

export class TopicMessageError extends Error {
  readonly reason: MessageErrorReason;
  readonly issues: readonly MessageIssue[];

  constructor(
    reason: MessageErrorReason,
    message: string,
    options: { issues?: readonly MessageIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TopicMessageError";
    this.reason = reason;
    this.issues = (options.issues ?? []).slice(0, MAX_ISSUES);
  }
}

/** The error for a message whose envelope is not a valid CloudEvent. */
export function fromCloudEventError(error: CloudEventError): TopicMessageError {
  const reason = error.reason === "too_large" ? "too_large" : "bad_message";
  const message = `the message is not a claypipe CloudEvent: ${error.message}`;
  return new TopicMessageError(reason, message, { cause: error });
}

/**
 * The error for data that fails the schema of `type`, naming the fields. It
 * names the type, not the topic: the config may name the topic otherwise.
 */
export function schemaError(type: string, issues: readonly MessageIssue[]): TopicMessageError {
  const listed = issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path || "data"}: ${issue.reason}`)
    .join("; ");
  return new TopicMessageError("schema", `a ${type} event does not match its schema: ${listed}`, {
    issues,
  });
}

/** "fields.email" from a zod path; each part bounded, as a hostile key can be huge. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((part) => echoInput(String(part))).join(".");
}
