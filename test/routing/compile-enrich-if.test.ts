import { describe, expect, it } from "vitest";
import {
  compileEnrichIf,
  type EnrichIfRule,
  emailDomain,
  enrichIfSchema,
  RoutesError,
} from "../../src/routing/index.js";

const SOURCES = ["web", "csv"];

function rules(input: unknown): EnrichIfRule[] {
  return enrichIfSchema.parse(input);
}

const FREE_MAIL = {
  name: "no_free_mail",
  when: 'email_domain not in ["gmail.com", "yahoo.com"]',
};
const NO_STUDENTS = { name: "no_students", when: 'not (title contains "student")' };

describe("compileEnrichIf: skippedBy", () => {
  const preSend = compileEnrichIf(rules([FREE_MAIL, NO_STUDENTS]), SOURCES);

  it("names the first rule that does not hold, and none when every rule holds", () => {
    expect(preSend.skippedBy({ email: "ada@acme.com", title: "CTO" }, "web")).toBeUndefined();
    expect(preSend.skippedBy({ email: "ada@gmail.com", title: "Student" }, "web")).toBe(
      "no_free_mail",
    );
    expect(preSend.skippedBy({ email: "ada@acme.com", title: "PhD student" }, "web")).toBe(
      "no_students",
    );
  });

  it("derives email_domain from the email, lowercased; null without an email", () => {
    expect(emailDomain("ada@Mail.Example.COM")).toBe("mail.example.com");
    expect(emailDomain(undefined)).toBeNull();
    const onlyWithEmail = compileEnrichIf(rules([{ name: "has", when: "email_domain" }]), SOURCES);
    expect(onlyWithEmail.skippedBy({ email: "ada@acme.com" }, "web")).toBeUndefined();
    expect(onlyWithEmail.skippedBy({ linkedin_url: "https://linkedin.com/in/ada" }, "web")).toBe(
      "has",
    );
  });

  it("applies a rule scoped to sources only to leads of those sources", () => {
    const scoped = compileEnrichIf(rules([{ ...FREE_MAIL, sources: ["csv"] }]), SOURCES);
    expect(scoped.skippedBy({ email: "ada@gmail.com" }, "web")).toBeUndefined();
    expect(scoped.skippedBy({ email: "ada@gmail.com" }, "csv")).toBe("no_free_mail");
  });

  it("skips nothing without rules", () => {
    expect(
      compileEnrichIf([], SOURCES).skippedBy({ email: "ada@gmail.com" }, "web"),
    ).toBeUndefined();
  });
});

describe("compileEnrichIf: problems", () => {
  it("collects every bad expression, repeated name and unknown source into one config_invalid error", () => {
    let error: unknown;
    try {
      compileEnrichIf(
        rules([
          FREE_MAIL,
          { name: "broken", when: "title ==" },
          { name: "No_Free_Mail", when: "true" },
          { name: "scoped", when: "true", sources: ["crm"] },
        ]),
        SOURCES,
      );
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RoutesError);
    const { problems, code, message } = error as RoutesError;
    expect(code).toBe("config_invalid");
    expect(problems).toEqual([
      {
        path: "enrichIf[1].when",
        message: "unexpected end of expression at column 9: expected a value\ntitle ==\n        ^",
      },
      { path: "enrichIf[2].name", message: '"No_Free_Mail" is already the name of enrichIf[0]' },
      { path: "enrichIf[3].sources", message: 'no source named "crm" (sources: web, csv)' },
    ]);
    expect(message).toMatch(/^the enrichIf rules do not compile \(3 problems\)/);
  });

  it("refuses a rule name routes could not carry", () => {
    expect(() => rules([{ name: "has space", when: "true" }])).toThrow();
  });
});
