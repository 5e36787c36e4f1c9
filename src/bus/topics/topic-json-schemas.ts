/**
 * The JSON Schema of each topic's data, generated from its zod schema, so the
 * files under docs/schemas/ (scripts/write-topic-schemas.ts writes them, a
 * test compares them) say exactly what the decoders accept.
 */
import { z } from "zod";
import { deadLetterSpec } from "./dead-letter-event.js";
import { enrichedContactSpec } from "./enriched-contact.js";
import { leadIncomingSpec } from "./lead-incoming.js";
import { leadTransitionSpec } from "./lead-transition.js";
import type { TopicSpec } from "./topic-event.js";

export const TOPIC_SPECS: readonly TopicSpec<unknown>[] = [
  leadIncomingSpec,
  enrichedContactSpec,
  deadLetterSpec,
  leadTransitionSpec,
];

/** The file under docs/schemas/ for a topic: `leads.incoming.schema.json`. */
export function schemaFileName(spec: TopicSpec<unknown>): string {
  return `${spec.topic}.schema.json`;
}

/**
 * What a producer may send (zod's input side): properties the schema does not
 * name are allowed, and consumers ignore them, so adding one never breaks an
 * older consumer.
 */
export function topicJsonSchema(spec: TopicSpec<unknown>): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(spec.schema, {
    io: "input",
    target: "draft-2020-12",
  });
  return {
    $schema,
    title: spec.title,
    description: `The data of a ${spec.type} CloudEvent, on the topic ${spec.topic} by default. See docs/topics.md.`,
    ...schema,
  };
}
