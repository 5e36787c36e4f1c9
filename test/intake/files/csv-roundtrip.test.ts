/** Property: good leads written as CSV, in any chunking, come back exactly, at the right lines. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvLeads } from "../../../src/intake/files/csv-leads.js";
import type { LeadRecord } from "../../../src/intake/files/lead-record.js";
import { collect, streamOf } from "./read-helpers.js";

const COLUMNS = ["email", "first_name", "company", "notes"] as const;
type Row = Record<(typeof COLUMNS)[number], string>;

/** RFC 4180 quoting: a value with a comma, quote or line break goes in quotes, its quotes doubled. */
function csvValue(value: string, alwaysQuote: boolean): string {
  return alwaysQuote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const tricky = fc.constantFrom(
  ",",
  '"',
  "\n",
  "\r\n",
  "\r",
  " ",
  '""',
  "é",
  "😀",
  "\uFFFD",
  "=1+2",
);
const text = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 6 }), tricky), { maxLength: 5 })
  .map((parts) => parts.join(""));
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{1,10}$/))
  .map(([user, host]) => `${user}@${host}.com`);
const row = fc.record({ email, first_name: text, company: text, notes: text });

const file = fc.record({
  rows: fc.array(row, { minLength: 1, maxLength: 30 }),
  quoteAll: fc.array(fc.boolean(), { minLength: 1 }),
  lineEnd: fc.constantFrom("\n", "\r\n"),
  bom: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
});

/** What validateLead makes of a row: trimmed values, empty ones left out. */
function expectedLead(values: Row): Record<string, string> {
  const lead: Record<string, string> = {};
  for (const column of COLUMNS) {
    const value = values[column].trim();
    if (value !== "") lead[column] = value;
  }
  return lead;
}

function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

describe("readCsvLeads round trip", () => {
  it("returns exactly the leads written, with the line each starts on", async () => {
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, quoteAll, lineEnd, bom, cuts }) => {
        let body = bom ? "\uFEFF" : "";
        body += COLUMNS.join(",") + lineEnd;
        let line = 2;
        const expected: LeadRecord[] = [];
        rows.forEach((values, index) => {
          const quote = quoteAll[index % quoteAll.length]!;
          const written = COLUMNS.map((column) => csvValue(values[column], quote)).join(",");
          expected.push({ line, ok: true, lead: expectedLead(values) });
          // Inside quotes only "\n" starts a new line; "\r" alone is a character there.
          line += written.split("\n").length;
          body += written + lineEnd;
        });
        const records = await collect(readCsvLeads(streamOf(...cutAt(Buffer.from(body), cuts))));
        expect(records).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
