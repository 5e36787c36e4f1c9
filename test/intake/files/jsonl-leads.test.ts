import { describe, expect, it } from "vitest";
import { readJsonlLeads } from "../../../src/intake/files/jsonl-leads.js";
import { LineSplitter, type SplitLine } from "../../../src/intake/files/line-splitter.js";
import { byteByByte, collect, streamOf, summarize } from "./read-helpers.js";

describe("readJsonlLeads", () => {
  it("reads one lead per line, skipping blank lines, with CRLF or without a final line break", async () => {
    const text =
      '{"Email":"Ana@Acme.com","First Name":"Ana"}\r\n\r\n   \n{"email":"bo@beta.io","score":7}';
    const records = await collect(readJsonlLeads(streamOf(text)));
    expect(records).toEqual([
      { line: 1, ok: true, lead: { email: "ana@acme.com", first_name: "Ana" } },
      { line: 4, ok: true, lead: { email: "bo@beta.io", score: 7 } },
    ]);
    expect(await collect(readJsonlLeads(byteByByte(text)))).toEqual(records);
  });

  it("reports bad lines by number and reads the good ones around them", async () => {
    const text = [
      '{"email":"a@x.io"}',
      "{email: b@x.io}",
      '["a@x.io"]',
      '{"email":"not-an-email"}',
      '{"email":"c@x.io","company":{"name":"Acme"}}',
      '{"email":"d@x.io"}',
    ].join("\n");
    const summary = summarize(await collect(readJsonlLeads(streamOf(text))));
    expect(summary[0]).toBe("1 ok a@x.io");
    expect(summary[1]).toMatch(/^2 bad not valid JSON \(.+\) — write one JSON object per line$/);
    expect(summary.slice(2)).toEqual([
      "3 bad a lead must be a JSON object of fields",
      '4 bad email: "not-an-email" is not a valid email address',
      "5 bad company: nested values are not allowed: Clay rows are flat, so flatten it or send a string",
      "6 ok d@x.io",
    ]);
  });

  it("keeps the JSON error short", async () => {
    const [record] = await collect(readJsonlLeads(streamOf(`{"email": ${"x".repeat(5000)}}\n`)));
    expect(record?.ok).toBe(false);
    if (record && !record.ok) expect(record.reason.length).toBeLessThan(200);
  });

  it("reports invalid UTF-8 and over-long lines, then goes on", async () => {
    const text = Buffer.concat([
      Buffer.from('{"email":"a@x.io"}\n{"email":"b@x.io","name":"Jos'),
      Buffer.from([0xe9]),
      Buffer.from(
        `"}\n{"email":"c@x.io","notes":"${"n".repeat(200)}"}\n{"email":"d@x.io","name":"\uFFFD"}\n`,
      ),
    ]);
    expect(summarize(await collect(readJsonlLeads(streamOf(text), { maxLineBytes: 100 })))).toEqual(
      [
        "1 ok a@x.io",
        "2 bad not valid UTF-8 — save the file as UTF-8",
        "3 bad longer than 100 bytes — one lead per line; check for a missing line break",
        "4 ok d@x.io",
      ],
    );
  });

  it("drops a byte order mark and refuses UTF-16", async () => {
    expect(
      summarize(await collect(readJsonlLeads(streamOf('\uFEFF{"email":"a@x.io"}\n')))),
    ).toEqual(["1 ok a@x.io"]);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('{"email":"a@x.io"}\n', "utf16le"),
    ]);
    await expect(collect(readJsonlLeads(streamOf(utf16)))).rejects.toMatchObject({
      code: "input_invalid",
      message: "the file is UTF-16; save it as UTF-8",
    });
  });

  it("refuses a file without a single line", async () => {
    await expect(collect(readJsonlLeads(streamOf("\n \n")))).rejects.toMatchObject({
      code: "input_invalid",
      message: "the file is empty: expected one JSON object per line",
    });
  });
});

describe("LineSplitter", () => {
  function split(max: number, ...chunks: string[]): string[] {
    const splitter = new LineSplitter(max);
    const out: SplitLine[] = [];
    for (const chunk of chunks) splitter.push(Buffer.from(chunk), out);
    splitter.end(out);
    return out.map((line) =>
      "tooLong" in line ? `${line.line}: too long` : `${line.line}: ${line.bytes}`,
    );
  }

  it("numbers lines across chunk boundaries and strips CR", () => {
    expect(split(10, "ab", "c\r", "\nde\n", "\n", "f")).toEqual(["1: abc", "2: de", "3: ", "4: f"]);
  });

  it("allows a line of exactly the cap, even with CRLF split across chunks", () => {
    expect(split(3, "abc\r", "\nabcd\n", "abc")).toEqual(["1: abc", "2: too long", "3: abc"]);
  });

  it("reports a long line once, however many chunks it spans", () => {
    expect(split(4, "ok\nxxxx", "xxxx", "xx", "\nend")).toEqual(["1: ok", "2: too long", "3: end"]);
    expect(split(4, "ok\nxxxxxxxxxx")).toEqual(["1: ok", "2: too long"]);
  });

  it("yields nothing for empty input and one empty line for a lone line break", () => {
    expect(split(4)).toEqual([]);
    expect(split(4, "\n")).toEqual(["1: "]);
  });
});
