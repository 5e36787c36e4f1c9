/**
 * Hostile messages on every topic: bad JSON, wrong types, missing attributes,
 * another topic's type, huge extra fields, a 1 MB body. Each decoder either
 * returns the event or throws a TopicMessageError with a dead-letter reason
 * and a bounded message, never anything else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_EVENT_BYTES } from "../../src/bus/cloud-event.js";
import {
  DEAD_LETTER_REASONS,
  decodeDeadLetter,
  encodeDeadLetter,
} from "../../src/bus/topics/dead-letter-event.js";
import {
  decodeEnrichedContact,
  encodeEnrichedContact,
} from "../../src/bus/topics/enriched-contact.js";
import { decodeIncomingLead, encodeIncomingLead } from "../../src/bus/topics/lead-incoming.js";
import {
  decodeLeadTransition,
  encodeLeadTransition,
} from "../../src/bus/topics/lead-transition.js";
import { TopicMessageError } from "../../src/bus/topics/topic-error.js";
import type { EncodedTopicMessage, TopicMessage } from "../../src/bus/topics/topic-event.js";

const LEAD_ID = "019a0000-0000-7000-8000-000000000001";
const TIME = "2026-12-03T15:00:00.123Z";
const KEY = "email:ada@example.com";
const encoder = new TextEncoder();

/** One valid message per topic, and its decoder. */
const TOPICS = {
  "leads.incoming": {
    decode: decodeIncomingLead,
    valid: encodeIncomingLead(
      { leadId: LEAD_ID, workspace: "main", table: "people" },
      { key: KEY, time: TIME },
    ),
    foreign: encodeIncomingLead(
      { fields: { email: "ada@example.com", company: "Acme" }, source: "cdc" },
      { key: KEY, time: TIME },
    ),
  },
  "enriched.contacts": {
    decode: decodeEnrichedContact,
    valid: encodeEnrichedContact({
      leadId: LEAD_ID,
      identity: KEY,
      workspace: "main",
      table: "people",
      attempt: 1,
      enrichedAt: TIME,
      row: { email: "ada@example.com", title: "CTO" },
    }),
  },
  "dlq.clay": {
    decode: decodeDeadLetter,
    valid: encodeDeadLetter(
      { reason: "budget", detail: "cap", original: { leadId: LEAD_ID }, replayableAfter: TIME },
      { key: KEY, time: TIME },
    ),
  },
  "claypipe.lead-events": {
    decode: decodeLeadTransition,
    valid: encodeLeadTransition(
      { leadId: LEAD_ID, from: "queued", to: "sending", at: TIME },
      { key: KEY },
    ),
  },
} as const;

type Outcome = "ok" | TopicMessageError["reason"];

function outcomeOf(decode: (message: TopicMessage) => unknown, message: TopicMessage): Outcome {
  try {
    decode(message);
    return "ok";
  } catch (error) {
    if (!(error instanceof TopicMessageError)) throw error;
    expect(Object.keys(DEAD_LETTER_REASONS)).toContain(error.reason);
    // The error repeats little of the input, however large the input is.
    expect(error.message.length).toBeLessThan(4000);
    return error.reason;
  }
}

function dataOf(message: EncodedTopicMessage): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(message.value));
}

function withBody(message: EncodedTopicMessage, body: Uint8Array | unknown): TopicMessage {
  const value = body instanceof Uint8Array ? body : encoder.encode(JSON.stringify(body));
  return { value, headers: message.headers };
}

describe.each(Object.entries(TOPICS))("hostile messages on %s", (_topic, { decode, valid }) => {
  it("turns each kind of bad message into its reason", () => {
    const { headers } = valid;
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
    expect(outcomeOf(decode, valid)).toBe("ok");
    expect(outcomeOf(decode, withBody(valid, encoder.encode("{not json")))).toBe("bad_message");
    expect(outcomeOf(decode, withBody(valid, new Uint8Array([0x22, 0xff, 0x22])))).toBe(
      "bad_message",
    );
    expect(outcomeOf(decode, { value: valid.value, headers: without("ce_id") })).toBe(
      "bad_message",
    );
    expect(outcomeOf(decode, { value: valid.value, headers: without("ce_type") })).toBe(
      "bad_message",
    );
    expect(outcomeOf(decode, { value: valid.value, headers: {} })).toBe("bad_message");
    // Another topic's message on this one.
    const other = Object.values(TOPICS).find((topic) => topic.valid !== valid)!.valid;
    expect(outcomeOf(decode, other)).toBe("bad_message");
    expect(outcomeOf(decode, withBody(valid, null))).toBe("schema");
    expect(outcomeOf(decode, withBody(valid, [dataOf(valid)]))).toBe("schema");
    const [first] = Object.keys(dataOf(valid));
    expect(outcomeOf(decode, withBody(valid, { ...dataOf(valid), [first!]: 12 }))).toBe("schema");
    const oneMegabyte = new Uint8Array(1024 * 1024).fill(0x20);
    expect(outcomeOf(decode, withBody(valid, oneMegabyte))).toBe("too_large");
  });

  it("ignores an extra field, and refuses one that makes the message too large", () => {
    const padded = (bytes: number) => ({ ...dataOf(valid), extra: "x".repeat(bytes) });
    expect(outcomeOf(decode, withBody(valid, padded(100_000)))).toBe("ok");
    expect(outcomeOf(decode, withBody(valid, padded(DEFAULT_MAX_EVENT_BYTES)))).toBe("too_large");
  });

  it("any message decodes or throws a TopicMessageError with a reason, never anything else", () => {
    const fields = Object.keys(dataOf(valid));
    // Valid data with fields replaced by anything: the closest a bad producer gets.
    const nearlyValid = fc
      .dictionary(
        fc.constantFrom(...fields, "fields", "leadId", "x"),
        fc.anything({ maxDepth: 2, withNullPrototype: true }),
        { maxKeys: 4 },
      )
      .map((changes) => encoder.encode(JSON.stringify({ ...dataOf(valid), ...changes })));
    const bodies = fc.oneof(
      nearlyValid,
      fc.json().map((text) => encoder.encode(text)),
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: "binary" }).map((text) => encoder.encode(text)),
    );
    const headerSets = fc.oneof(
      { weight: 4, arbitrary: fc.constant(valid.headers) },
      fc
        .tuple(fc.constantFrom(...Object.keys(valid.headers)), fc.string({ unit: "binary" }))
        .map(([name, value]) => ({ ...valid.headers, [name]: value })),
      fc.dictionary(fc.constantFrom(...Object.keys(valid.headers)), fc.string({ maxLength: 40 })),
    );
    const outcomes = new Set<Outcome>();
    fc.assert(
      fc.property(bodies, headerSets, (value, headers) => {
        outcomes.add(outcomeOf(decode, { value, headers }));
      }),
      { seed: 10, numRuns: 1000 },
    );
    expect([...outcomes]).toEqual(expect.arrayContaining(["ok", "bad_message", "schema"]));
  });
});

describe("hostile foreign leads on leads.incoming", () => {
  it("any set of fields decodes to a valid lead or a schema error naming fields", () => {
    const { foreign } = TOPICS["leads.incoming"];
    const values = fc.oneof(
      fc.string(),
      fc.emailAddress(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.anything({ maxDepth: 1 }),
    );
    const leads = fc.record(
      {
        fields: fc.dictionary(
          fc.oneof(
            fc.constantFrom("email", "Email", "linkedin_url", "company", "full_name"),
            fc.string(),
          ),
          values,
          { maxKeys: 6 },
        ),
        source: fc.oneof(fc.constant("cdc"), fc.string()),
      },
      { requiredKeys: ["fields"] },
    );
    const outcomes = new Set<Outcome>();
    fc.assert(
      fc.property(leads, (lead) => {
        const outcome = outcomeOf(decodeIncomingLead, withBody(foreign, lead));
        outcomes.add(outcome);
        if (outcome !== "schema") return;
        const error = (() => {
          try {
            decodeIncomingLead(withBody(foreign, lead));
          } catch (caught) {
            return caught as TopicMessageError;
          }
        })();
        expect(error?.issues.length).toBeGreaterThan(0);
        for (const issue of error?.issues ?? []) {
          expect(
            issue.path === "" || issue.path === "source" || issue.path.startsWith("fields"),
          ).toBe(true);
        }
      }),
      { seed: 11, numRuns: 1000 },
    );
    expect([...outcomes].sort()).toEqual(["ok", "schema"]);
  });
});
