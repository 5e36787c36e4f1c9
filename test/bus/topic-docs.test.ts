/**
 * docs/topics.md stays true to the code: every topic with its type and
 * schema file, every dead-letter reason as the code describes it, and every
 * example message one the topic's decoder reads.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEAD_LETTER_REASONS, decodeDeadLetter } from "../../src/bus/topics/dead-letter-event.js";
import { decodeEnrichedContact } from "../../src/bus/topics/enriched-contact.js";
import { decodeIncomingLead } from "../../src/bus/topics/lead-incoming.js";
import { decodeLeadTransition } from "../../src/bus/topics/lead-transition.js";
import type { TopicMessage } from "../../src/bus/topics/topic-event.js";
import { schemaFileName, TOPIC_SPECS } from "../../src/bus/topics/topic-json-schemas.js";

const PAGE = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/topics.md"),
  "utf8",
);

const DECODERS: Record<string, (message: TopicMessage) => unknown> = {
  "leads.incoming": decodeIncomingLead,
  "enriched.contacts": decodeEnrichedContact,
  "dlq.clay": decodeDeadLetter,
  "claypipe.lead-events": decodeLeadTransition,
};

/** The page's sections by their `## \`topic\`` heading. */
function section(topic: string): string {
  const start = PAGE.indexOf(`## \`${topic}\``);
  expect(start, `docs/topics.md has a section "## \`${topic}\`"`).toBeGreaterThanOrEqual(0);
  const next = PAGE.indexOf("\n## ", start + 1);
  return PAGE.slice(start, next === -1 ? undefined : next);
}

describe("docs/topics.md", () => {
  it.each(TOPIC_SPECS.map((spec) => [spec.topic, spec] as const))(
    "%s: its type, its schema file, and examples its decoder reads",
    (topic, spec) => {
      expect(PAGE).toContain(`| \`${topic}\``);
      expect(PAGE).toContain(`\`${spec.type}\``);
      expect(PAGE).toContain(`(schemas/${schemaFileName(spec)})`);
      const examples = [...section(topic).matchAll(/^```json\n([\s\S]*?)^```/gm)].map(
        (match) => match[1]!,
      );
      expect(examples.length).toBeGreaterThan(0);
      const headers = {
        ce_id: "example",
        ce_source: "docs",
        ce_type: spec.type,
        ce_specversion: "1.0",
      };
      for (const example of examples) {
        const value = new TextEncoder().encode(example);
        expect(() => DECODERS[topic]!({ value, headers }), example).not.toThrow();
      }
    },
  );

  it("lists every dead-letter reason as the code describes it", () => {
    const rows = new Map(
      [...section("dlq.clay").matchAll(/^\| `([a-z_]+)` +\| (.+?) +\|$/gm)].map((match) => [
        match[1]!,
        match[2]!,
      ]),
    );
    for (const [reason, meaning] of Object.entries(DEAD_LETTER_REASONS)) {
      expect(rows.get(reason), reason).toBe(meaning);
    }
  });
});
