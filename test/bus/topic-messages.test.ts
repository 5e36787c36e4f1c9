/**
 * Each topic's messages: what an encoder writes decodes back to the same
 * event, with the CloudEvents attributes, key and id the topic promises; a
 * foreign lead is validated like every intake lead.
 */
import { describe, expect, it } from "vitest";
import type { BusMessage } from "../../src/bus/bus.js";
import { DEFAULT_MAX_EVENT_BYTES } from "../../src/bus/cloud-event.js";
import {
  DEAD_LETTER_REASONS,
  type DeadLetter,
  decodeDeadLetter,
  encodeDeadLetter,
  MAX_ORIGINAL_BODY_BYTES,
  originalOf,
} from "../../src/bus/topics/dead-letter-event.js";
import {
  decodeEnrichedContact,
  type EnrichedContact,
  encodeEnrichedContact,
} from "../../src/bus/topics/enriched-contact.js";
import { decodeIncomingLead, encodeIncomingLead } from "../../src/bus/topics/lead-incoming.js";
import {
  decodeLeadTransition,
  encodeLeadTransition,
} from "../../src/bus/topics/lead-transition.js";
import { TopicMessageError } from "../../src/bus/topics/topic-error.js";
import type { TopicMessage } from "../../src/bus/topics/topic-event.js";
import { DEFAULT_TOPIC_NAMES } from "../../src/bus/topics/topic-names.js";
import { DEAD_REASONS } from "../../src/core/lead-state.js";

const LEAD_ID = "019a0000-0000-7000-8000-000000000001";
const TIME = "2026-12-03T15:00:00.123Z";
const KEY = "email:ada@example.com";

function thrown(run: () => unknown): TopicMessageError {
  try {
    run();
  } catch (error) {
    if (error instanceof TopicMessageError) return error;
    throw error;
  }
  throw new Error("expected a TopicMessageError, nothing was thrown");
}

const contact: EnrichedContact = {
  leadId: LEAD_ID,
  identity: KEY,
  workspace: "main",
  table: "People",
  attempt: 2,
  enrichedAt: TIME,
  row: { email: "ada@example.com", title: "CTO", company: { name: "Acme", size: 12 } },
};

describe("topic names", () => {
  it("defaults to the seed design's names", () => {
    expect(DEFAULT_TOPIC_NAMES).toEqual({
      incoming: "leads.incoming",
      enriched: "enriched.contacts",
      deadLetters: "dlq.clay",
      leadEvents: "claypipe.lead-events",
    });
  });
});

describe("leads.incoming", () => {
  const reference = { leadId: LEAD_ID, workspace: "main", table: "people" };

  it("round-trips a lead reference, keyed by identity, subject and id from the lead", () => {
    const message = encodeIncomingLead(reference, { key: KEY, time: TIME });
    expect(message.key).toBe(KEY);
    expect(message.id).toBe(`incoming:${LEAD_ID}:1`);
    expect(message.headers).toMatchObject({
      ce_type: "com.claypipe.lead.incoming",
      ce_source: "claypipe/intake",
      ce_subject: LEAD_ID,
      ce_time: TIME,
      ce_id: message.id,
      ce_specversion: "1.0",
      "content-type": "application/json",
    });
    expect(decodeIncomingLead(message).data).toEqual(reference);
    const retry = encodeIncomingLead({ ...reference, attempt: 3 }, { key: KEY, time: TIME });
    expect(retry.id).toBe(`incoming:${LEAD_ID}:3`);
  });

  it("decodes a foreign lead validated and normalized like an intake lead", () => {
    const message = encodeIncomingLead(
      { fields: { Email: " Ada@Example.COM ", "First Name": "Ada", note: "" }, source: "cdc" },
      { key: "ada", time: TIME, source: "crm/cdc" },
    );
    expect(message.headers.ce_subject).toBeUndefined();
    expect(message.headers.ce_source).toBe("crm/cdc");
    expect(decodeIncomingLead(message).data).toEqual({
      fields: { email: "ada@example.com", first_name: "Ada" },
      source: "cdc",
    });
  });

  it("gives a foreign lead an id from its content: the same lead, the same id", () => {
    const lead = { fields: { email: "ada@example.com" } };
    const first = encodeIncomingLead(lead, { key: KEY, time: TIME });
    expect(encodeIncomingLead(lead, { key: KEY, time: "2026-12-04T00:00:00Z" }).id).toBe(first.id);
    expect(
      encodeIncomingLead({ fields: { email: "bob@example.com" } }, { key: KEY, time: TIME }).id,
    ).not.toBe(first.id);
  });

  it("refuses a foreign lead with a bad email as a schema error naming the field", () => {
    const message = foreignMessage({ fields: { email: "not-an-email", company: "Acme" } });
    const error = thrown(() => decodeIncomingLead(message));
    expect(error.reason).toBe("schema");
    expect(error.issues).toEqual([
      { path: "fields.email", reason: '"not-an-email" is not a valid email address' },
    ]);
    expect(error.message).toContain("fields.email");
    // The encoder refuses it too: it never writes what it could not read.
    expect(() =>
      encodeIncomingLead({ fields: { email: "not-an-email" } }, { key: KEY, time: TIME }),
    ).toThrow(TopicMessageError);
  });

  it("names a nested value, a lead with no identity, and a message of both forms", () => {
    const nested = thrown(() =>
      decodeIncomingLead(foreignMessage({ fields: { email: "a@b.co", address: { city: "X" } } })),
    );
    expect(nested.issues[0]).toMatchObject({ path: "fields.address" });
    expect(nested.issues[0]!.reason).toMatch(/nested values are not allowed/);
    const anonymous = thrown(() =>
      decodeIncomingLead(foreignMessage({ fields: { title: "CTO" } })),
    );
    expect(anonymous.issues[0]).toMatchObject({ path: "fields" });
    const both = thrown(() => decodeIncomingLead(foreignMessage({ ...reference, fields: {} })));
    expect(both).toMatchObject({ reason: "schema" });
    expect(both.issues[0]!.reason).toMatch(/not both/);
  });

  it("names a reference's wrong field", () => {
    const error = thrown(() =>
      decodeIncomingLead(foreignMessage({ ...reference, leadId: 5, attempt: 0 })),
    );
    expect(error.reason).toBe("schema");
    expect(error.issues.map((issue) => issue.path)).toEqual(["leadId", "attempt"]);
  });
});

describe("enriched.contacts", () => {
  it("round-trips a row keyed by identity, timed by enrichedAt, one id per lead and attempt", () => {
    const message = encodeEnrichedContact(contact);
    expect(message).toMatchObject({ key: KEY, id: `enriched:${LEAD_ID}:2` });
    expect(message.headers).toMatchObject({
      ce_type: "com.claypipe.lead.enriched",
      ce_source: "claypipe/receiver",
      ce_subject: LEAD_ID,
      ce_time: TIME,
    });
    const event = decodeEnrichedContact(message);
    expect(event.data).toEqual(contact);
    expect(event).toMatchObject({ id: message.id, subject: LEAD_ID, time: TIME });
    // Clay calling back again for the same send: the same id, so the broker stores it once.
    expect(encodeEnrichedContact({ ...contact, enrichedAt: "2026-12-03T15:01:00Z" }).id).toBe(
      message.id,
    );
  });

  it("never puts the row's callback URL (the lead's credential) on the bus", () => {
    const message = encodeEnrichedContact({
      ...contact,
      row: { ...contact.row, callback_url: "https://claypipe.example/v1/callbacks/secret" },
    });
    expect(new TextDecoder().decode(message.value)).not.toContain("secret");
    expect(decodeEnrichedContact(message).data.row).toEqual(contact.row);
  });

  it("refuses a row that would make a message over the bus's bound", () => {
    const huge = { ...contact, row: { notes: "x".repeat(DEFAULT_MAX_EVENT_BYTES) } };
    expect(thrown(() => encodeEnrichedContact(huge)).reason).toBe("too_large");
  });
});

describe("claypipe.lead-events", () => {
  const transition = {
    leadId: LEAD_ID,
    from: "sending",
    to: "dead",
    at: TIME,
    reason: "send_failed",
  } as const;

  it("round-trips a transition, one id per transition", () => {
    const message = encodeLeadTransition(transition, { key: KEY });
    expect(message).toMatchObject({ key: KEY, id: `transition:${LEAD_ID}:sending:dead:${TIME}` });
    expect(message.headers).toMatchObject({
      ce_type: "com.claypipe.lead.transition",
      ce_subject: LEAD_ID,
      ce_time: TIME,
    });
    expect(decodeLeadTransition(message).data).toEqual(transition);
    const first = { leadId: LEAD_ID, from: null, to: "received", at: TIME } as const;
    expect(decodeLeadTransition(encodeLeadTransition(first, { key: KEY })).data).toEqual(first);
  });

  it("cuts a long reason instead of refusing the transition", () => {
    const long = encodeLeadTransition({ ...transition, reason: "y".repeat(5000) }, { key: KEY });
    expect(decodeLeadTransition(long).data.reason).toHaveLength(2000);
  });

  it("refuses a state the lifecycle does not have", () => {
    const error = thrown(() =>
      encodeLeadTransition({ ...transition, to: "lost" as "dead" }, { key: KEY }),
    );
    expect(error.issues[0]).toMatchObject({ path: "to" });
  });
});

describe("dlq.clay", () => {
  const budget: DeadLetter = {
    reason: "budget",
    detail: "workspace main is at its daily credit cap",
    original: { leadId: LEAD_ID, identity: KEY },
    replayableAfter: "2026-12-04T00:00:00Z",
  };

  it("round-trips a budget refusal, replayable after the window opens", () => {
    const message = encodeDeadLetter(budget, { key: KEY, time: TIME });
    expect(message.headers).toMatchObject({
      ce_type: "com.claypipe.lead.dead",
      ce_source: "claypipe/enricher",
      ce_subject: LEAD_ID,
    });
    expect(decodeDeadLetter(message).data).toEqual(budget);
    // The same refusal again is the same message; the next window's is another.
    expect(encodeDeadLetter(budget, { key: KEY, time: "2026-12-03T15:00:09Z" }).id).toBe(
      message.id,
    );
    expect(
      encodeDeadLetter(
        { ...budget, replayableAfter: "2026-12-05T00:00:00Z" },
        { key: KEY, time: TIME },
      ).id,
    ).not.toBe(message.id);
  });

  it("carries a message it could not read, body in base64, and gives it back byte for byte", () => {
    const original = busMessage(new TextEncoder().encode("{not json"), { ce_id: "x" });
    const message = encodeDeadLetter(
      { reason: "bad_message", detail: "not JSON", original: originalOf(original) },
      { key: original.key, time: TIME },
    );
    const data = decodeDeadLetter(message).data;
    expect(data.original).toEqual({
      message: {
        topic: "leads.incoming",
        key: "k",
        id: "m-1",
        headers: { ce_id: "x" },
        bodyBytes: 9,
        body: Buffer.from("{not json").toString("base64"),
      },
    });
    const body = data.original && "message" in data.original ? data.original.message.body : "";
    expect(Buffer.from(body ?? "", "base64").toString()).toBe("{not json");
  });

  it("carries a 1 MB message by its size only, so the dead letter still fits the bus", () => {
    const original = busMessage(new Uint8Array(1024 * 1024).fill(0x41));
    const message = encodeDeadLetter(
      { reason: "too_large", detail: "1048576 bytes", original: originalOf(original) },
      { key: original.key, time: TIME },
    );
    expect(message.value.byteLength).toBeLessThan(DEFAULT_MAX_EVENT_BYTES);
    const data = decodeDeadLetter(message).data;
    expect(data.original).toMatchObject({ message: { bodyBytes: 1024 * 1024 } });
    expect(data.original && "message" in data.original && data.original.message.body).toBe(
      undefined,
    );
    // The largest original carried whole, with a long detail and many headers, fits too.
    const largest = busMessage(
      new Uint8Array(MAX_ORIGINAL_BODY_BYTES).fill(0x42),
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`h${i}`, "v".repeat(1024)])),
    );
    const fits = encodeDeadLetter(
      { reason: "max_deliveries", detail: "d".repeat(10_000), original: originalOf(largest) },
      { key: largest.key, time: TIME },
    );
    expect(decodeDeadLetter(fits).data.detail).toHaveLength(2000);
  });

  it("has a reason for every way a lead dies in the other tiers", () => {
    expect(Object.keys(DEAD_LETTER_REASONS)).toEqual(expect.arrayContaining([...DEAD_REASONS]));
    expect(Object.keys(DEAD_LETTER_REASONS)).toEqual(
      expect.arrayContaining(["budget", "bad_message", "schema", "too_large"]),
    );
  });
});

function busMessage(value: Uint8Array, headers: Record<string, string> = {}): BusMessage {
  return {
    topic: "leads.incoming",
    key: "k",
    id: "m-1",
    value,
    headers,
    deliveryCount: 1,
    partition: "0",
  };
}

/** A valid leads.incoming envelope around any data, as another system could publish it. */
function foreignMessage(data: unknown): TopicMessage {
  const valid = encodeIncomingLead(
    { fields: { email: "x@example.com" } },
    { key: "k", time: TIME },
  );
  return { ...valid, value: new TextEncoder().encode(JSON.stringify(data)) };
}
