/**
 * The CloudEvents envelope: what encode writes decodes back to the same event,
 * and any message at all, however hostile, either decodes or throws a
 * CloudEventError with a reason (the consumer's dead-letter reason), never
 * anything else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CE_HEADERS,
  type CloudEvent,
  CloudEventError,
  decodeCloudEvent,
  encodeCloudEvent,
} from "../../src/bus/cloud-event.js";

const event: CloudEvent = {
  id: "lead-1",
  source: "claypipe/intake",
  type: "com.claypipe.lead.incoming",
  time: "2026-12-03T15:00:00.123Z",
  subject: "lead-1",
  data: { email: "ada@example.com", tags: ["a"] },
};

function reasonOf(
  message: { value: Uint8Array; headers: Record<string, string> },
  maxBytes?: number,
) {
  try {
    decodeCloudEvent(message, maxBytes === undefined ? {} : { maxBytes });
    return "ok";
  } catch (error) {
    if (error instanceof CloudEventError) return error.reason;
    throw error;
  }
}

describe("CloudEvents envelope", () => {
  it("writes the attributes as ce_* headers and JSON data, and reads them back", () => {
    const encoded = encodeCloudEvent(event);
    expect(encoded.headers).toEqual({
      ce_id: "lead-1",
      ce_source: "claypipe/intake",
      ce_type: "com.claypipe.lead.incoming",
      ce_specversion: "1.0",
      ce_time: "2026-12-03T15:00:00.123Z",
      ce_subject: "lead-1",
      "content-type": "application/json",
    });
    expect(JSON.parse(new TextDecoder().decode(encoded.value))).toEqual(event.data);
    expect(decodeCloudEvent(encoded)).toEqual(event);
  });

  it("names what is wrong with a message, as a dead-letter reason", () => {
    const { value, headers } = encodeCloudEvent(event);
    const without = (name: string) => {
      const copy = { ...headers };
      delete copy[name];
      return copy;
    };
    expect(reasonOf({ value, headers: without(CE_HEADERS.id) })).toBe("missing_attribute");
    expect(reasonOf({ value, headers: without(CE_HEADERS.specversion) })).toBe("missing_attribute");
    expect(reasonOf({ value, headers: { ...headers, ce_specversion: "0.3" } })).toBe(
      "unsupported_specversion",
    );
    expect(reasonOf({ value, headers: { ...headers, "content-type": "text/plain" } })).toBe(
      "unsupported_content_type",
    );
    expect(reasonOf({ value, headers: { ...headers, ce_time: "yesterday" } })).toBe(
      "bad_attribute",
    );
    expect(reasonOf({ value, headers: { ...headers, ce_source: "a\nb" } })).toBe("bad_attribute");
    expect(reasonOf({ value, headers: { ...headers, ce_type: "" } })).toBe("bad_attribute");
    expect(reasonOf({ value: new TextEncoder().encode("{not json"), headers })).toBe("bad_json");
    expect(reasonOf({ value: new Uint8Array([0x22, 0xff, 0x22]), headers })).toBe("bad_json");
    expect(reasonOf({ value: new Uint8Array(2048).fill(0x20), headers }, 1024)).toBe("too_large");
    // A missing content type means JSON; a parameter after it is fine.
    expect(reasonOf({ value, headers: without("content-type") })).toBe("ok");
    expect(
      reasonOf({
        value,
        headers: { ...headers, "content-type": "application/json; charset=utf-8" },
      }),
    ).toBe("ok");
  });

  it("refuses to encode an event it could not decode", () => {
    expect(() => encodeCloudEvent({ ...event, id: "" })).toThrow(CloudEventError);
    expect(() => encodeCloudEvent({ ...event, data: undefined })).toThrow(CloudEventError);
  });

  it("any message decodes or throws a CloudEventError, never anything else", () => {
    const { headers } = encodeCloudEvent(event);
    const headerSets = fc.oneof(
      fc.constant(headers),
      fc
        .tuple(fc.constantFrom("ce_id", "ce_time", "ce_subject"), fc.string({ unit: "binary" }))
        .map(([name, value]) => ({ ...headers, [name]: value })),
      fc.dictionary(fc.constantFrom(...Object.keys(headers), "x"), fc.string({ maxLength: 40 })),
      fc.record({ ...Object.fromEntries(Object.keys(headers).map((name) => [name, fc.string()])) }),
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.json().map((text) => new TextEncoder().encode(text)),
      fc.string().map((text) => new TextEncoder().encode(text)),
    );
    const reasons = new Set<string>();
    fc.assert(
      fc.property(bodies, headerSets, (value, headerSet) => {
        reasons.add(reasonOf({ value, headers: headerSet as Record<string, string> }, 200));
      }),
      { seed: 10, numRuns: 2000 },
    );
    // The run went through valid events and the main ways to be invalid.
    expect([...reasons]).toEqual(
      expect.arrayContaining(["ok", "bad_json", "too_large", "missing_attribute", "bad_attribute"]),
    );
  });
});
