/** Lead validation: field names and emails are normalized and checked the same way on every path. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  identityKey,
  normalizeDomain,
  normalizeFieldName,
  validateLead,
} from "../../src/core/lead.js";

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

// The regexes these normalisers used before: right on ordinary values, but they retried from
// every position of a hostile one, which took time in the square of its length.
const domainByRegex = (domain: string) =>
  domain
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[/?#].*$/, "");
const linkedinPathByRegex = (url: string) =>
  url
    .toLowerCase()
    .replace(/^.*linkedin\.com\//, "")
    .replace(/\/+$/, "");

describe("normalizeDomain and the LinkedIn identity", () => {
  const urlLike = fc.string({
    unit: fc.constantFrom(..."aZ.:/?#w -_".split(""), "www.", "http://", "linkedin.com/"),
    maxLength: 12,
  });

  it("give what the regexes they replace gave, for any single-line value", () => {
    fc.assert(
      fc.property(urlLike, (text) => {
        expect(normalizeDomain(text)).toBe(domainByRegex(text));
        expect(identityKey({ linkedin_url: text })).toBe(`linkedin:${linkedinPathByRegex(text)}`);
      }),
      { numRuns: 3000 },
    );
  });

  it("normalize as before", () => {
    expect(normalizeDomain(" HTTPS://www.Acme.com/about?x#y ")).toBe("acme.com");
    expect(normalizeDomain("acme.com#top")).toBe("acme.com");
    expect(identityKey({ linkedin_url: "https://www.LinkedIn.com/in/Ada///" })).toBe(
      "linkedin:in/ada",
    );
  });
});

// A megabyte of each shape that made a regex retry from every position. In time proportional to
// the length these take milliseconds; the old regexes took hours on them (7.9 s at 50,000 slashes).
describe("normalisation of megabyte-sized hostile values", () => {
  const MB = 1_048_576;
  const slashes = "/".repeat(MB);

  it("cuts a domain at its first slash, even with a line break after the slashes", () => {
    expect(normalizeDomain(`${slashes}\nx`)).toBe("");
    expect(normalizeDomain(`acme.com${slashes}\u2028x`)).toBe("acme.com");
    expect(normalizeDomain(`${"a".repeat(MB)}://x`)).toBe("x");
  });

  it("trims a LinkedIn URL's trailing slashes only at its end", () => {
    expect(identityKey({ linkedin_url: `linkedin.com/in/ada${slashes}x` })).toBe(
      `linkedin:in/ada${slashes}x`,
    );
    expect(identityKey({ linkedin_url: `linkedin.com/in/ada${slashes}` })).toBe("linkedin:in/ada");
    expect(identityKey({ linkedin_url: `${"\n".repeat(MB)}linkedin.com/in/ada` })).toBe(
      "linkedin:in/ada",
    );
  });

  it("normalizes field names made of separators", () => {
    expect(normalizeFieldName(`${"_".repeat(MB)}x`)).toBe("x");
    expect(normalizeFieldName(`x${" -".repeat(MB / 2)}`)).toBe("x");
    expect(normalizeFieldName("aA".repeat(MB / 2))).toBe("a_a".repeat(MB / 2));
  });

  it("validates a lead whose every field is hostile", () => {
    const result = validateLead({
      email: `${"a".repeat(MB)}@${"a.".repeat(MB / 2)}`,
      linkedin_url: `linkedin.com/${slashes}x`,
      domain: `${slashes}\nx`,
      full_name: `${" ".repeat(MB)}x`,
      [`${"_".repeat(MB)}y`]: "z",
    });
    expect(result.ok).toBe(false);
    // Normalised in linear time, then refused: no Clay row holds a megabyte.
    expect(
      validateLead({ linkedin_url: `linkedin.com/in/ada${slashes}`, domain: slashes }),
    ).toEqual({
      ok: false,
      issues: [
        {
          path: "linkedin_url",
          reason: expect.stringContaining("over Clay's limit of 100.0 KB"),
        },
      ],
    });
  });
});

describe("validateLead's size limits", () => {
  it("refuses a lead that cannot make a Clay row under 100 KB, naming its largest field", () => {
    const result = validateLead({ email: "ada@acme.example", domain: "a".repeat(900 * 1024) });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: "domain",
          reason: expect.stringMatching(
            /makes a Clay row of 900\.\d KB, over Clay's limit of 100\.0 KB .*shorten or drop its largest fields, domain \(900\.0 KB\)/,
          ),
        },
      ],
    });
    expect(validateLead({ email: "ada@acme.example", note: "x".repeat(90_000) }).ok).toBe(true);
  });

  it("refuses an email over 254 characters (RFC 5321)", () => {
    const longest = `${"a".repeat(64)}@${"b".repeat(185)}.com`;
    expect(longest).toHaveLength(254);
    expect(validateLead({ email: longest }).ok).toBe(true);
    expect(validateLead({ email: `a${longest}` })).toEqual({
      ok: false,
      issues: [
        {
          path: "email",
          reason: "is 255 characters long: an email address has at most 254 (RFC 5321)",
        },
      ],
    });
  });
});
