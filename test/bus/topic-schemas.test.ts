/**
 * The JSON Schema files under docs/schemas/ say what the topics' zod schemas
 * generate, one file per topic and no other: a schema change without
 * `npx tsx scripts/write-topic-schemas.ts` fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  schemaFileName,
  TOPIC_SPECS,
  topicJsonSchema,
} from "../../src/bus/topics/topic-json-schemas.js";
import { DEFAULT_TOPIC_NAMES } from "../../src/bus/topics/topic-names.js";

const SCHEMAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/schemas");

describe("topic JSON Schemas in docs/schemas", () => {
  it("has one file per topic, named after its default topic name", () => {
    expect(readdirSync(SCHEMAS).sort()).toEqual(TOPIC_SPECS.map(schemaFileName).sort());
    expect(TOPIC_SPECS.map((spec) => spec.topic).sort()).toEqual(
      Object.values(DEFAULT_TOPIC_NAMES).sort(),
    );
  });

  it.each(TOPIC_SPECS.map((spec) => [spec.topic, spec] as const))(
    "%s: the committed file is what its zod schema generates",
    (_topic, spec) => {
      const committed = JSON.parse(readFileSync(join(SCHEMAS, schemaFileName(spec)), "utf8"));
      expect(committed, "run npx tsx scripts/write-topic-schemas.ts").toEqual(
        topicJsonSchema(spec),
      );
    },
  );

  it("tells a producer what it may send: required fields, no ban on extra ones", () => {
    const enriched = TOPIC_SPECS.find((spec) => spec.topic === "enriched.contacts")!;
    const schema = topicJsonSchema(enriched);
    expect(schema.required).toEqual(
      expect.arrayContaining(["leadId", "identity", "enrichedAt", "row"]),
    );
    expect(schema.additionalProperties).toBeUndefined();
  });
});
