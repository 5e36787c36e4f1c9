import { describe, expect, it } from "vitest";
import { readCsvLeads } from "../../../src/intake/files/csv-leads.js";
import { byteByByte, collect, streamOf, summarize } from "./read-helpers.js";

const HEADER = "email,first_name,company\n";

async function read(...pieces: Array<string | Buffer>): Promise<string[]> {
  return summarize(await collect(readCsvLeads(streamOf(...pieces))));
}

describe("readCsvLeads: good files", () => {
  it("reads each row into a validated lead keyed by the normalized header", async () => {
    const records = await collect(
      readCsvLeads(
        streamOf("Email,First Name,companyName\n Ana@Acme.COM ,Ana,Acme\nbo@beta.io,Bo,Beta\n"),
      ),
    );
    expect(records).toEqual([
      {
        line: 2,
        ok: true,
        lead: { email: "ana@acme.com", first_name: "Ana", company_name: "Acme" },
      },
      { line: 3, ok: true, lead: { email: "bo@beta.io", first_name: "Bo", company_name: "Beta" } },
    ]);
  });

  it("keeps the first line of a quoted value that spans lines, and counts the lines inside it", async () => {
    const text = `${HEADER}ana@acme.com,"Ana\nMaria","Acme, ""the"" company"\nbo@beta.io,Bo,"Beta\r\n\r\nLabs"\ncy@gamma.io,Cy,Gamma\n`;
    const records = await collect(readCsvLeads(streamOf(text)));
    expect(records.map((record) => record.line)).toEqual([2, 4, 7]);
    expect(records[0]).toMatchObject({
      ok: true,
      lead: { first_name: "Ana\nMaria", company: 'Acme, "the" company' },
    });
    expect(records[1]).toMatchObject({ ok: true, lead: { company: "Beta\r\n\r\nLabs" } });
  });

  it("gives the same answer when every byte arrives in its own chunk", async () => {
    const text = `\uFEFF${HEADER}ana@acme.com,"A,""n""\r\na",Acme\r\n\r\nbo@beta.io,Bo,Beta`;
    const whole = await collect(readCsvLeads(streamOf(text)));
    expect(await collect(readCsvLeads(byteByByte(text)))).toEqual(whole);
    expect(summarize(whole)).toEqual(["2 ok ana@acme.com", "5 ok bo@beta.io"]);
  });

  it("reads CRLF and old Mac (CR only) line ends", async () => {
    expect(await read(`email\r\na@x.io\r\nb@x.io\r\n`)).toEqual(["2 ok a@x.io", "3 ok b@x.io"]);
    expect(await read(`email\ra@x.io\rb@x.io`)).toEqual(["2 ok a@x.io", "3 ok b@x.io"]);
  });

  it("drops a UTF-8 byte order mark silently, even split across chunks", async () => {
    expect(
      await read(Buffer.from([0xef, 0xbb]), Buffer.from([0xbf]), `${HEADER}a@x.io,A,X\n`),
    ).toEqual(["2 ok a@x.io"]);
  });

  it("skips blank lines and lines of only commas without a report", async () => {
    expect(await read(`${HEADER}\na@x.io,A,X\n  \n,,\n"",,\nb@x.io,B,X\n\n`)).toEqual([
      "3 ok a@x.io",
      "7 ok b@x.io",
    ]);
  });

  it("keeps a quote inside an unquoted value as a character", async () => {
    const [record] = await collect(readCsvLeads(streamOf(`${HEADER}a@x.io,Bo "the boss",X\n`)));
    expect(record).toMatchObject({ ok: true, lead: { first_name: 'Bo "the boss"' } });
  });

  it("ignores the values of a column without a name", async () => {
    const [record] = await collect(readCsvLeads(streamOf("email,,company\na@x.io,junk,X\n")));
    expect(record).toEqual({ line: 2, ok: true, lead: { email: "a@x.io", company: "X" } });
  });
});

describe("readCsvLeads: bad rows are reported by line and the good ones go on", () => {
  it("reports rows with too many or too few values", async () => {
    expect(await read(`${HEADER}a@x.io,A,X\nb@x.io,B,X,extra,more\nc@x.io\nd@x.io,D,X\n`)).toEqual([
      "2 ok a@x.io",
      "3 bad 5 values but the header has 3 columns — put values that contain a comma in double quotes",
      "4 bad 1 value but the header has 3 columns — give every column a value (empty is fine: a,,c)",
      "5 ok d@x.io",
    ]);
  });

  it("reports the lead's own issues", async () => {
    expect(await read(`${HEADER}not-an-email,A,X\n,Bo,\nb@x.io,B,X\n`)).toEqual([
      '2 bad email: "not-an-email" is not a valid email address',
      "3 bad needs an email, a linkedin_url, or a name with a company or domain to be enriched",
      "4 ok b@x.io",
    ]);
  });

  it("reports a closing quote followed by text and resumes on the next line", async () => {
    expect(await read(`${HEADER}a@x.io,"Ana"x,"Acme\nb@x.io,B,X\nc@x.io,"C",X\n`)).toEqual([
      '2 bad a closing quote is followed by "x" — put the whole value in quotes and write a quote inside it as two quotes ("")',
      "3 ok b@x.io",
      "4 ok c@x.io",
    ]);
  });

  it("reports a quote that is never closed at its line and resumes on the line after it", async () => {
    const unclosed =
      'a quoted value is never closed — close it, and write a quote inside a value as two quotes ("")';
    expect(
      await read(`${HEADER}a@x.io,A,X\nb@x.io,"Bo,X\nc@x.io,C,X\nd@x.io,"D",X\ne@x.io,E,X\n`),
    ).toEqual(["2 ok a@x.io", `3 bad ${unclosed}`, "4 ok c@x.io", "5 ok d@x.io", "6 ok e@x.io"]);
    expect(await read(`${HEADER}a@x.io,A,X\nb@x.io,"Bo,X\nc@x.io,C,X`)).toEqual([
      "2 ok a@x.io",
      `3 bad ${unclosed}`,
      "4 ok c@x.io",
    ]);
  });

  it("names the line a stray quote opened on when the record began earlier", async () => {
    expect(await read(`${HEADER}a@x.io,"A\nA","Acme\nb@x.io,B,X\n`)).toEqual([
      '2 bad a quoted value starting on line 3 is never closed — close it, and write a quote inside a value as two quotes ("")',
      "4 ok b@x.io",
    ]);
  });

  it("reports bytes that are not UTF-8 and reads the lines around them", async () => {
    const latin1 = Buffer.from(
      `${HEADER}a@x.io,A,X\nb@x.io,Jos\xe9,X\nc@x.io,C\uFFFD,X\n`,
      "latin1",
    );
    const mixed = Buffer.concat([
      latin1.subarray(0, latin1.indexOf("c@x.io")),
      Buffer.from("c@x.io,C\uFFFD,X\n"),
    ]);
    expect(await read(mixed)).toEqual([
      "2 ok a@x.io",
      "3 bad not valid UTF-8 — save the file as UTF-8",
      "4 ok c@x.io",
    ]);
  });

  it("skips a record longer than the cap, quoted or not, and reads on", async () => {
    const long = "y".repeat(300);
    const tooLong = "longer than 100 bytes — one lead per line; check for a missing line break";
    const text = [
      HEADER,
      "a@x.io,A,X\n",
      `${long},B,X\n`, // line 3
      `b@x.io,"${long}",X\n`, // line 4
      `c@x.io,"${long}\n${long}",X\n`, // lines 5-6: over the cap before the line break
      `d@x.io,"Dee\n${long}",X\n`, // lines 7-8: spans lines, then crosses the cap
      "e@x.io,E,X\n", // line 9
    ].join("");
    const records = summarize(await collect(readCsvLeads(streamOf(text), { maxLineBytes: 100 })));
    expect(records).toEqual([
      "2 ok a@x.io",
      `3 bad ${tooLong}`,
      `4 bad ${tooLong}`,
      `5 bad ${tooLong}`,
      // A quoted value that spans lines and crosses the cap is read as a stray
      // quote, so line 8 is tried on its own.
      '7 bad a quoted value is never closed — close it, and write a quote inside a value as two quotes ("")',
      `8 bad ${tooLong}`,
      "9 ok e@x.io",
    ]);
    expect(summarize(await collect(readCsvLeads(byteByByte(text), { maxLineBytes: 100 })))).toEqual(
      records,
    );
  });

  it("accepts a record of exactly the cap", async () => {
    const record = `a@x.io,${"z".repeat(20)},X`;
    const text = `${HEADER}${record}\n${record}z\r\n${record}`;
    const records = await collect(readCsvLeads(streamOf(text), { maxLineBytes: record.length }));
    expect(summarize(records)).toEqual([
      "2 ok a@x.io",
      `3 bad longer than ${record.length} bytes — one lead per line; check for a missing line break`,
      "4 ok a@x.io",
    ]);
  });
});

describe("readCsvLeads: files that cannot be read at all", () => {
  it.each([
    ["an empty file", ""],
    ["only blank lines", "\n\r\n\n"],
    ["only a byte order mark", "\uFEFF"],
  ])("refuses %s", async (_, text) => {
    await expect(collect(readCsvLeads(streamOf(text)))).rejects.toMatchObject({
      code: "input_invalid",
      message:
        "the file is empty: expected a header line such as email,first_name,last_name,company",
    });
  });

  it("refuses a header without rows", async () => {
    await expect(collect(readCsvLeads(streamOf(HEADER)))).rejects.toMatchObject({
      code: "input_invalid",
      message: "the file has a header (line 1) but no leads below it",
    });
  });

  it.each([
    ["little-endian", [0xff, 0xfe]],
    ["big-endian", [0xfe, 0xff]],
  ])("refuses a %s UTF-16 file with one error", async (_, bom) => {
    const utf16 = Buffer.concat([
      Buffer.from(bom),
      Buffer.from(`${HEADER}a@x.io,A,X\n`, "utf16le"),
    ]);
    await expect(collect(readCsvLeads(streamOf(utf16)))).rejects.toMatchObject({
      code: "input_invalid",
      message: "the file is UTF-16; save it as UTF-8",
    });
  });

  it("refuses an Excel workbook", async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    await expect(collect(readCsvLeads(streamOf(zip)))).rejects.toMatchObject({
      code: "input_invalid",
    });
  });

  it("refuses duplicate header names, naming both columns", async () => {
    await expect(
      collect(readCsvLeads(streamOf("Email,company,E-mail,email\na@x.io,X,,\n"))),
    ).rejects.toMatchObject({
      code: "input_invalid",
      message: 'line 1: columns 1 ("Email") and 4 ("email") are both the field "email"',
    });
  });

  it("refuses a header with no column to identify a person, suggesting the near miss", async () => {
    const error = await collect(readCsvLeads(streamOf("Email Address,title\na@x.io,CEO\n"))).catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      code: "input_invalid",
      message:
        'line 1: the header has no column to identify a person by (columns: "Email Address", "title")',
    });
    expect(error.hint).toContain('rename "email_address" to "email"');
  });

  it("accepts a name with a company as identity", async () => {
    expect(await read("Full Name,Company\nAna Silva,Acme\n")).toEqual(["2 ok Ana Silva"]);
  });

  it("says so when the first line is a lead instead of a header", async () => {
    await expect(collect(readCsvLeads(streamOf("ana@acme.com,Ana,Acme\n")))).rejects.toMatchObject({
      code: "input_invalid",
      message: "line 1 looks like a lead, not a header line",
    });
  });

  it("refuses a header it cannot parse", async () => {
    await expect(collect(readCsvLeads(streamOf('email,"name\n')))).rejects.toMatchObject({
      code: "input_invalid",
      message: expect.stringContaining("line 1: the header line cannot be read"),
    });
  });
});
