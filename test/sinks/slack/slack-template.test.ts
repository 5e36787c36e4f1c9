import { describe, expect, it } from "vitest";
import {
  escapeMrkdwn,
  MAX_SECTION_CHARS,
  MAX_VALUE_CHARS,
  renderSlackTemplate,
} from "../../../src/sinks/slack/slack-template.js";

describe("Slack template", () => {
  it("fills each {{field}}, by exact or normalized name, and shows a missing or empty one as a dash", () => {
    const text = renderSlackTemplate(
      "Hot lead: {{first_name}} {{ last_name }} at {{Company}}, ICP {{icp_score}} ({{title}}, {{note}})",
      { first_name: "Ada", last_name: "Lovelace", company: "Acme", icp_score: 92, note: "  " },
    );
    expect(text).toBe("Hot lead: Ada Lovelace at Acme, ICP 92 (-, -)");
  });

  it("escapes &, < and > in values, so a value can neither mention, link nor break the markup", () => {
    const text = renderSlackTemplate("*{{first_name}}* {{company}}", {
      first_name: "<!channel> & <https://evil.example|click here>",
      company: "A&amp;B <@U123>",
    });
    expect(text).toBe(
      "*&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;* A&amp;amp;B &lt;@U123&gt;",
    );
    expect(text).not.toMatch(/<|>/);
  });

  it("keeps the template's own mrkdwn as written", () => {
    expect(
      renderSlackTemplate("<https://crm.example/{{id}}|open> *{{n}}*", { id: 7, n: "x" }),
    ).toBe("<https://crm.example/7|open> *x*");
  });

  it("never expands a placeholder that a value holds", () => {
    const text = renderSlackTemplate("{{first_name}} / {{email}}", {
      first_name: "{{email}}",
      email: "ada@acme.com",
    });
    expect(text).toBe("{{email}} / ada@acme.com");
  });

  it("keeps a value on one line: line breaks and control characters become a space", () => {
    const text = renderSlackTemplate("Lead: {{first_name}}", {
      first_name: "Ada\n> quote\r\n\u0007x",
    });
    expect(text).toBe("Lead: Ada &gt; quote x");
  });

  it("bounds each value and the whole text to Slack's section limit, never splitting an entity", () => {
    const long = "&".repeat(MAX_VALUE_CHARS + 50);
    const value = renderSlackTemplate("{{v}}", { v: long });
    expect(value).toBe(`${"&amp;".repeat(MAX_VALUE_CHARS - 1)}…`);

    const template = "{{v}} ".repeat(20);
    const text = renderSlackTemplate(template, { v: long });
    expect(text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
    expect(text.endsWith("&amp;…")).toBe(true);
  });

  it("shows objects as JSON, escaped", () => {
    expect(renderSlackTemplate("{{tags}}", { tags: ["a<b"] })).toBe('["a&lt;b"]');
  });

  it("escapes only &, < and >, as Slack asks", () => {
    expect(escapeMrkdwn(`&<>"'*_~\``)).toBe(`&amp;&lt;&gt;"'*_~\``);
  });
});
