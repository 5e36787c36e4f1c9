/** Lead validation: field names and emails are normalized and checked the same way on every path. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { normalizeFieldName, validateLead } from "../../src/core/lead.js";

// The full normalization, with no shortcut for names that are already normalized.
function fullNormalization(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const nameLike = fc.string({
  unit: fc.constantFrom(..."abcXYZ019_- .é\t".split("")),
  maxLength: 16,
});

describe("normalizeFieldName", () => {
  it("turns spaced, dashed and camel-case names into snake case", () => {
    expect(normalizeFieldName("First Name")).toBe("first_name");
    expect(normalizeFieldName("first-name")).toBe("first_name");
    expect(normalizeFieldName("firstName")).toBe("first_name");
    expect(normalizeFieldName("  _Company__Domain_ ")).toBe("company_domain");
    expect(normalizeFieldName("first_name")).toBe("first_name");
  });

  it("gives what the full normalization gives, for any name", () => {
    fc.assert(
      fc.property(fc.oneof(nameLike, fc.string()), (name) => {
        expect(normalizeFieldName(name)).toBe(fullNormalization(name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("validateLead's email check", () => {
  const zodEmail = z.email();
  const emailLike = fc.oneof(
    fc.emailAddress(),
    fc.string({ unit: fc.constantFrom(..."ab.@-_+'1Z ".split("")), maxLength: 20 }),
  );

  it("accepts and refuses exactly what z.email() does", () => {
    fc.assert(
      fc.property(emailLike, (text) => {
        const email = text.trim().toLowerCase();
        const result = validateLead({ email: text });
        const emailRefused = !result.ok && result.issues.some((issue) => issue.path === "email");
        // An empty email is dropped as a missing field, not checked.
        if (email === "") return;
        expect(emailRefused).toBe(!zodEmail.safeParse(email).success);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps the normalized email of a valid lead", () => {
    expect(validateLead({ Email: " Ada@Example.COM " })).toEqual({
      ok: true,
      lead: { email: "ada@example.com" },
    });
  });
});
