import { describe, expect, it } from "vitest";
import { buildClayRow, MAX_ROW_BYTES } from "../../src/clay/row-payload.js";
import { ClaypipeError } from "../../src/core/errors.js";

describe("buildClayRow", () => {
  it("sends the lead's fields, claypipe_id and callback_url as one flat object", () => {
    const row = buildClayRow(
      { email: "ada@example.com", employees: 12, active: true, note: null },
      { claypipeId: "lead-1", callbackUrl: "https://cb.example.com/v1/callbacks/clay/t" },
    );
    expect(JSON.parse(row.body)).toEqual({
      email: "ada@example.com",
      employees: 12,
      active: true,
      note: null,
      claypipe_id: "lead-1",
      callback_url: "https://cb.example.com/v1/callbacks/clay/t",
    });
    expect(row.bytes).toBe(Buffer.byteLength(row.body));
  });

  it("leaves callback_url out when there is none, and ignores reserved fields in the lead", () => {
    const row = buildClayRow(
      { email: "ada@example.com", claypipe_id: "forged", callback_url: "https://evil.example.com" },
      { claypipeId: "lead-1" },
    );
    expect(JSON.parse(row.body)).toEqual({ email: "ada@example.com", claypipe_id: "lead-1" });
  });

  it("accepts a row of exactly MAX_ROW_BYTES and refuses one byte more, naming the largest fields", () => {
    const overhead = buildClayRow({ email: "a@b.co", bio: "" }, { claypipeId: "x" }).bytes;
    const fits = { email: "a@b.co", bio: "b".repeat(MAX_ROW_BYTES - overhead) };
    expect(buildClayRow(fits, { claypipeId: "x" }).bytes).toBe(MAX_ROW_BYTES);

    const tooBig = { email: "a@b.co", bio: "b".repeat(MAX_ROW_BYTES - overhead + 1) };
    let thrown: unknown;
    try {
      buildClayRow(tooBig, { claypipeId: "x" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClaypipeError);
    const error = thrown as ClaypipeError;
    expect(error.code).toBe("payload_too_large");
    expect(error.hint).toMatch(/^shorten or drop its largest fields: bio \(100\.\d KB\), email/);
  });

  it("counts bytes, not characters", () => {
    const threeByteChars = "€".repeat(Math.ceil(MAX_ROW_BYTES / 3));
    expect(threeByteChars.length).toBeLessThan(MAX_ROW_BYTES);
    expect(() => buildClayRow({ note: threeByteChars }, { claypipeId: "x" })).toThrow(
      /over Clay's limit/,
    );
  });
});
