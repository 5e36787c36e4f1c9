import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileSinkSchema } from "../../../src/config/sink-schema.js";
import { type CsvRow, CsvScanner } from "../../../src/intake/files/csv-scanner.js";
import { createFileSink } from "../../../src/sinks/file/file-sink.js";
import { csvCell } from "../../../src/sinks/file/file-sink-format.js";
import type { Sink, SinkRecord } from "../../../src/sinks/sink.js";

let dir: string;
const open: Sink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "claypipe-file-sink-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((sink) => sink.close()));
  await rm(dir, { recursive: true, force: true });
});

function sinkAt(path: string, format: "jsonl" | "csv" = "jsonl", columns?: string[]): Sink {
  const sink = createFileSink(
    fileSinkSchema.parse({ name: "out", type: "file", path, format, columns }),
  );
  open.push(sink);
  return sink;
}

function record(n: number, row: Record<string, unknown> = {}): SinkRecord {
  return {
    leadId: `0190bbbb-0000-7000-8000-${String(n).padStart(12, "0")}`,
    identityKey: `email:p${n}@acme.com`,
    row: { email: `p${n}@acme.com`, first_name: `P${n}`, icp_score: n, ...row },
    source: "csv-import",
    route: "all",
    enrichedAt: `2024-05-01T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
  };
}

const signal = () => new AbortController().signal;

async function jsonlLines(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Read back with the intake's RFC 4180 scanner, not with the sink's own code.
async function csvRecords(path: string): Promise<string[][]> {
  const scanner = new CsvScanner(1 << 20);
  const rows: CsvRow[] = [];
  scanner.push(await readFile(path), rows);
  scanner.end(rows);
  return rows.map((row) => {
    if (!("fields" in row)) throw new Error(`line ${row.line}: ${row.problem}`);
    return row.fields;
  });
}

describe("file sink, JSONL", () => {
  it("appends one object per record: claypipe's fields first, then the row without its callback_url", async () => {
    const path = join(dir, "nested", "leads.jsonl");
    const sink = sinkAt(path);
    const first = record(1, {
      callback_url: "https://claypipe.example/v1/callbacks/clay/tok",
      claypipe_id: "from the row, ignored",
    });
    expect(await sink.deliver([first, record(2)], signal())).toEqual([{ ok: true }, { ok: true }]);
    const lines = await jsonlLines(path);
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0]!)).toEqual([
      "claypipe_id",
      "identity",
      "source",
      "route",
      "enriched_at",
      "email",
      "first_name",
      "icp_score",
    ]);
    expect(lines[0]).toMatchObject({
      claypipe_id: first.leadId,
      identity: "email:p1@acme.com",
      source: "csv-import",
      route: "all",
      enriched_at: first.enrichedAt,
      email: "p1@acme.com",
    });
  });

  it("writes a repeated record once, within a batch, across calls and at the same time", async () => {
    const path = join(dir, "leads.jsonl");
    const sink = sinkAt(path);
    await sink.deliver([record(1), record(1), record(2)], signal());
    await sink.deliver([record(2)], signal());
    const results = await Promise.all([
      sink.deliver([record(3)], signal()),
      sink.deliver([record(3)], signal()),
    ]);
    expect(results).toEqual([[{ ok: true }], [{ ok: true }]]);
    const ids = (await jsonlLines(path)).map((line) => line.claypipe_id);
    expect(ids).toEqual([record(1).leadId, record(2).leadId, record(3).leadId]);
  });

  it("after a restart, skips the records already in the file", async () => {
    const path = join(dir, "leads.jsonl");
    const before = sinkAt(path);
    await before.deliver([record(1), record(2)], signal());
    await before.close();

    const after = sinkAt(path);
    expect(await after.deliver([record(2), record(1), record(3)], signal())).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    const ids = (await jsonlLines(path)).map((line) => line.claypipe_id);
    expect(ids).toEqual([record(1).leadId, record(2).leadId, record(3).leadId]);
  });

  it("cuts off a line torn by a crash and writes that record again", async () => {
    const path = join(dir, "leads.jsonl");
    const whole = `${JSON.stringify({ claypipe_id: record(1).leadId, email: "p1@acme.com" })}\n`;
    await writeFile(path, `${whole}{"claypipe_id":"${record(2).leadId}","identity":"em`);
    const sink = sinkAt(path);
    await sink.deliver([record(1), record(2)], signal());
    const lines = await jsonlLines(path);
    expect(lines.map((line) => line.claypipe_id)).toEqual([record(1).leadId, record(2).leadId]);
    expect(lines[1]).toMatchObject({ identity: "email:p2@acme.com" });
  });

  it("reports a full disk as retryable, with the reason", async (context) => {
    if (!existsSync("/dev/full")) context.skip();
    const sink = sinkAt("/dev/full");
    const [result] = await sink.deliver([record(1)], signal());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect((result as { reason: string }).reason).toMatch(/disk is full/);
  });

  it("reports a path it cannot create as retryable, with the reason", async () => {
    await writeFile(join(dir, "a-file"), "");
    const sink = sinkAt(join(dir, "a-file", "leads.jsonl"));
    const [result] = await sink.deliver([record(1)], signal());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect((result as { reason: string }).reason).toMatch(/could not write .*not a directory/);
  });

  it("answers retryable after close, without writing", async () => {
    const path = join(dir, "leads.jsonl");
    const sink = sinkAt(path);
    await sink.deliver([record(1)], signal());
    await sink.close();
    expect(await sink.deliver([record(2)], signal())).toMatchObject([
      { ok: false, retryable: true },
    ]);
    expect(await jsonlLines(path)).toHaveLength(1);
  });
});

describe("file sink, CSV", () => {
  const tricky = {
    title: 'VP, "Growth"\nand Sales',
    company_name: '=HYPERLINK("http://evil","x")',
    industry: "+1 software",
    country: "-US",
    seniority: "@vp",
    employee_count: -5,
    linkedin_url: "https://linkedin.com/in/p",
  };

  it("writes the header once, quotes properly and defuses formulas", async () => {
    const path = join(dir, "leads.csv");
    const sink = sinkAt(path, "csv");
    await sink.deliver([record(1, tricky)], signal());
    await sink.deliver([record(2)], signal());
    const [header, first, second] = await csvRecords(path);
    // claypipe's columns, then the first record's fields sorted, then extra.
    expect(header).toEqual([
      "claypipe_id",
      "source",
      "route",
      "enriched_at",
      "company_name",
      "country",
      "email",
      "employee_count",
      "first_name",
      "icp_score",
      "industry",
      "linkedin_url",
      "seniority",
      "title",
      "extra",
    ]);
    const cell = (row: string[] | undefined, column: string) => row![header!.indexOf(column)];
    expect(cell(first, "claypipe_id")).toBe(record(1).leadId);
    expect(cell(first, "enriched_at")).toBe(record(1).enrichedAt);
    expect(cell(first, "title")).toBe('VP, "Growth"\nand Sales');
    expect(cell(first, "company_name")).toBe('\'=HYPERLINK("http://evil","x")');
    expect(cell(first, "industry")).toBe("'+1 software");
    expect(cell(first, "country")).toBe("'-US");
    expect(cell(first, "seniority")).toBe("'@vp");
    expect(cell(first, "employee_count")).toBe("-5");
    expect(cell(first, "icp_score")).toBe("1");
    expect(cell(second, "title")).toBe("");
    expect(cell(second, "extra")).toBe("");
    expect(await readFile(path, "utf8")).toMatch(
      /^claypipe_id,source,route,enriched_at,company_name,/,
    );
  });

  // OWASP's CSV injection guidance: no cell may start (after any blank) with what a spreadsheet
  // reads as a formula, and a separator of any locale (, or ;) must not start a new cell.
  it("defuses every formula start OWASP lists, after blanks and in fullwidth too", () => {
    const defused = {
      "=1+1": "'=1+1",
      "+1": "'+1",
      "-1": "'-1",
      "@SUM(A1)": "'@SUM(A1)",
      " =1+1": "' =1+1",
      "\u00a0=1+1": "'\u00a0=1+1",
      "\u3000+1": "'\u3000+1",
      "＝1+1": "'＝1+1",
      "＋1": "'＋1",
      "－1": "'－1",
      "＠SUM(A1)": "'＠SUM(A1)",
    };
    for (const [value, cell] of Object.entries(defused)) expect(csvCell(value), value).toBe(cell);
    // Tab, CR and LF first are formula starts too, and the cell is quoted for holding them.
    expect(csvCell("\t=1")).toBe(`"'\t=1"`);
    expect(csvCell("\r=1")).toBe(`"'\r=1"`);
    expect(csvCell("\n=1+1")).toBe(`"'\n=1+1"`);
    expect(csvCell("\n x")).toBe(`"'\n x"`);
    // Text that only holds these characters later is left as it is.
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("Acme")).toBe("Acme");
    expect(csvCell("")).toBe("");
    expect(csvCell("   ")).toBe("   ");
    expect(csvCell(-5)).toBe("-5");
  });

  it("quotes a cell holding a separator of any locale, so ; cannot start a new cell", () => {
    expect(csvCell("x;=1+cmd|' /C calc'!A0;")).toBe(`"x;=1+cmd|' /C calc'!A0;"`);
    expect(csvCell("a,b")).toBe(`"a,b"`);
    expect(csvCell('say "hi"')).toBe(`"say ""hi"""`);
    expect(csvCell("a\tb")).toBe(`"a\tb"`);
    expect(csvCell("a\r\nb")).toBe(`"a\r\nb"`);
  });

  it("writes the hostile cells of a public form defused, read back as one cell each", async () => {
    const path = join(dir, "leads.csv");
    const sink = sinkAt(path, "csv");
    await sink.deliver(
      [
        record(1, {
          company_name: "x;=1+cmd|' /C calc'!A0;",
          title: " =1+1",
          industry: "\u00a0@SUM(A1)",
          country: "\n=1+1",
          seniority: "＝1+1",
        }),
      ],
      signal(),
    );
    const [header, first] = await csvRecords(path);
    const cell = (column: string) => first![header!.indexOf(column)];
    expect(cell("company_name")).toBe("x;=1+cmd|' /C calc'!A0;");
    expect(cell("title")).toBe("' =1+1");
    expect(cell("industry")).toBe("'\u00a0@SUM(A1)");
    expect(cell("country")).toBe("'\n=1+1");
    expect(cell("seniority")).toBe("'＝1+1");
    expect(await readFile(path, "utf8")).toContain(`,"x;=1+cmd|' /C calc'!A0;",`);
  });

  it("after a restart, skips the records already there and keeps one header", async () => {
    const path = join(dir, "leads.csv");
    const before = sinkAt(path, "csv");
    await before.deliver([record(1, tricky), record(2)], signal());
    await before.close();

    const [written] = await csvRecords(path);

    const after = sinkAt(path, "csv");
    await after.deliver([record(2), record(1, tricky), record(3)], signal());
    const [header, ...rows] = await csvRecords(path);
    expect(header).toEqual(written);
    expect(rows.map((row) => row[0])).toEqual([
      record(1).leadId,
      record(2).leadId,
      record(3).leadId,
    ]);
  });

  it("two sinks of one process on one file (pipelines side by side) write one header and each record once", async () => {
    const path = join(dir, "leads.csv");
    const [first, second] = [sinkAt(path, "csv"), sinkAt(path, "csv")];
    await Promise.all([
      first!.deliver([record(1), record(2)], signal()),
      second!.deliver([record(3), record(2)], signal()),
    ]);
    await first!.close();
    await second!.deliver([record(4), record(1)], signal());
    const [header, ...rows] = await csvRecords(path);
    expect(header?.[0]).toBe("claypipe_id");
    expect(rows.map((row) => row[0]).sort()).toEqual(
      [record(1), record(2), record(3), record(4)].map((each) => each.leadId),
    );
  });

  it("cuts off a record torn inside a quoted value", async () => {
    const path = join(dir, "leads.csv");
    const before = sinkAt(path, "csv");
    await before.deliver([record(1)], signal());
    await before.close();
    const complete = await readFile(path, "utf8");
    await writeFile(
      path,
      `${complete}${record(2).leadId},csv-import,all,2024,p2@acme.com,"two\nlines`,
    );

    const after = sinkAt(path, "csv");
    await after.deliver([record(2, { first_name: "two\nlines" })], signal());
    const [header, ...rows] = await csvRecords(path);
    expect(rows.map((row) => row[0])).toEqual([record(1).leadId, record(2).leadId]);
    expect(rows[1]![header!.indexOf("first_name")]).toBe("two\nlines");
  });

  it("refuses, as final, to append to a CSV with other columns", async () => {
    const path = join(dir, "theirs.csv");
    await writeFile(path, "name,phone\nAda,123\n");
    const sink = sinkAt(path, "csv");
    const [result] = await sink.deliver([record(1)], signal());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect((result as { reason: string }).reason).toMatch(/other columns.*new file/);
    expect(await readFile(path, "utf8")).toBe("name,phone\nAda,123\n");
  });
});

describe("file sink, CSV columns", () => {
  it("writes every column the first record carries; a later record's new fields go to extra", async () => {
    const path = join(dir, "leads.csv");
    const sink = sinkAt(path, "csv");
    await sink.deliver([record(1, { clay_intent: "high", "=cmd": "x" })], signal());
    await sink.deliver(
      [record(2, { clay_intent: "low", tech_stack: ["a", "b"], "=cmd": "y" })],
      signal(),
    );
    const [header, first, second] = await csvRecords(path);
    // A column name is a cell like any other: defused, and its values still land under it.
    expect(header).toEqual([
      "claypipe_id",
      "source",
      "route",
      "enriched_at",
      "'=cmd",
      "clay_intent",
      "email",
      "first_name",
      "icp_score",
      "extra",
    ]);
    const cell = (row: string[] | undefined, column: string) => row![header!.indexOf(column)];
    expect(cell(first, "clay_intent")).toBe("high");
    expect(cell(first, "'=cmd")).toBe("x");
    expect(cell(first, "extra")).toBe("");
    expect(cell(second, "clay_intent")).toBe("low");
    expect(cell(second, "'=cmd")).toBe("y");
    expect(JSON.parse(cell(second, "extra")!)).toEqual({ tech_stack: ["a", "b"] });
  });

  it("columns picks and orders the columns after claypipe_id, and leaves the rest out", async () => {
    const path = join(dir, "leads.csv");
    const sink = sinkAt(path, "csv", ["icp_score", "email", "route", "clay_intent"]);
    await sink.deliver([record(1, { clay_intent: "high", tech_stack: "x" })], signal());
    const [header, first] = await csvRecords(path);
    expect(header).toEqual(["claypipe_id", "icp_score", "email", "route", "clay_intent"]);
    expect(first).toEqual([record(1).leadId, "1", "p1@acme.com", "all", "high"]);
  });

  it("after a restart, keeps appending under the header the file has", async () => {
    const path = join(dir, "leads.csv");
    const before = sinkAt(path, "csv");
    await before.deliver([record(1, { clay_intent: "high" })], signal());
    await before.close();
    const [written] = await csvRecords(path);

    const after = sinkAt(path, "csv");
    await after.deliver([record(2, { clay_intent: "low", seniority: "vp" })], signal());
    const [header, ...rows] = await csvRecords(path);
    expect(header).toEqual(written);
    expect(rows).toHaveLength(2);
    expect(rows[1]![header!.indexOf("clay_intent")]).toBe("low");
    expect(JSON.parse(rows[1]![header!.indexOf("extra")]!)).toEqual({ seniority: "vp" });
  });

  it("after a restart with other columns, refuses as final and leaves the file alone", async () => {
    const path = join(dir, "leads.csv");
    const before = sinkAt(path, "csv", ["email"]);
    await before.deliver([record(1)], signal());
    await before.close();
    const text = await readFile(path, "utf8");

    const after = sinkAt(path, "csv", ["email", "icp_score"]);
    const [result] = await after.deliver([record(2)], signal());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect((result as { reason: string }).reason).toMatch(/set the sink's columns/);
    expect(await readFile(path, "utf8")).toBe(text);

    const same = sinkAt(path, "csv", ["email"]);
    expect(await same.deliver([record(2)], signal())).toEqual([{ ok: true }]);
  });

  it("columns is refused for JSONL and for a column named twice", () => {
    const base = { name: "out", type: "file", path: "x" };
    expect(fileSinkSchema.safeParse({ ...base, columns: ["email"] }).success).toBe(false);
    expect(
      fileSinkSchema.safeParse({ ...base, format: "csv", columns: ["email", "email"] }).success,
    ).toBe(false);
    expect(fileSinkSchema.safeParse({ ...base, format: "csv", columns: ["email"] }).success).toBe(
      true,
    );
  });
});
