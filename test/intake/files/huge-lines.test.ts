/**
 * A 50 MB line (no line break, or one quoted value) is skipped with its line
 * number, in bounded memory, and the lines after it are read.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCsvLeads } from "../../../src/intake/files/csv-leads.js";
import { readJsonlLeads } from "../../../src/intake/files/jsonl-leads.js";
import { openLeadFile } from "../../../src/intake/files/read-leads.js";
import { collect, summarize } from "./read-helpers.js";

const HUGE = 50 * 1024 * 1024;
const TOO_LONG = "longer than 1 MiB — one lead per line; check for a missing line break";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "claypipe-intake-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a 50 MB line in a file", () => {
  it("is skipped in a CSV, bare or quoted, and the rows after it are read", async () => {
    const path = join(dir, "huge.csv");
    const huge = "x".repeat(HUGE);
    await writeFile(
      path,
      `email,name\na@x.io,A\n${huge},B\nb@x.io,B\nc@x.io,"${huge}"\nd@x.io,D\n`,
    );
    const { records } = await openLeadFile(path);
    expect(summarize(await collect(records))).toEqual([
      "2 ok a@x.io",
      `3 bad ${TOO_LONG}`,
      "4 ok b@x.io",
      `5 bad ${TOO_LONG}`,
      "6 ok d@x.io",
    ]);
  });

  it("is skipped in a JSONL file", async () => {
    const path = join(dir, "huge.jsonl");
    await writeFile(
      path,
      `{"email":"a@x.io"}\n{"notes":"${"x".repeat(HUGE)}"}\n{"email":"b@x.io"}`,
    );
    const { records } = await openLeadFile(path);
    expect(summarize(await collect(records))).toEqual([
      "1 ok a@x.io",
      `2 bad ${TOO_LONG}`,
      "3 ok b@x.io",
    ]);
  });
});

/**
 * Yields `prefix`, then `hugeBytes` of "x" in 64 KiB chunks, then `suffix`,
 * noting the most memory held in array buffers whenever the reader asks for
 * more. The filler chunk is one buffer yielded again and again, so whatever
 * the peak grows by is what the reader itself keeps.
 */
function hugeSource(prefix: string, hugeBytes: number, suffix: string) {
  const watch = { peakGrowth: 0 };
  const baseline = process.memoryUsage().arrayBuffers;
  async function* chunks(): AsyncGenerator<Buffer> {
    const note = () => {
      watch.peakGrowth = Math.max(watch.peakGrowth, process.memoryUsage().arrayBuffers - baseline);
    };
    yield Buffer.from(prefix);
    const filler = Buffer.alloc(64 * 1024, "x");
    for (let sent = 0; sent < hugeBytes; sent += filler.length) {
      note();
      yield filler;
    }
    note();
    yield Buffer.from(suffix);
  }
  return { chunks: chunks(), watch };
}

describe("memory while skipping a huge line", () => {
  // If a reader held the line, its memory would grow by the whole 50 MB.
  const BOUND = 16 * 1024 * 1024;

  const UNCLOSED =
    'a quoted value is never closed — close it, and write a quote inside a value as two quotes ("")';
  it.each([
    ["bare", "email,name\na@x.io,", ",B\nb@x.io,B\n", [`2 bad ${TOO_LONG}`, "3 ok b@x.io"]],
    ["quoted", 'email,name\na@x.io,"', '",B\nb@x.io,B\n', [`2 bad ${TOO_LONG}`, "3 ok b@x.io"]],
    [
      "quoted across lines",
      'email,name\na@x.io,"\n',
      '",B\nb@x.io,B\n',
      [`2 bad ${UNCLOSED}`, `3 bad ${TOO_LONG}`, "4 ok b@x.io"],
    ],
  ])("stays bounded for a CSV %s value", async (_, prefix, suffix, expected) => {
    const { chunks, watch } = hugeSource(prefix, HUGE, suffix);
    expect(summarize(await collect(readCsvLeads(chunks)))).toEqual(expected);
    expect(watch.peakGrowth).toBeLessThan(BOUND);
  });

  it("stays bounded for a JSONL line", async () => {
    const { chunks, watch } = hugeSource(
      '{"email":"a@x.io","notes":"',
      HUGE,
      '"}\n{"email":"b@x.io"}\n',
    );
    expect(summarize(await collect(readJsonlLeads(chunks)))).toEqual([
      `1 bad ${TOO_LONG}`,
      "2 ok b@x.io",
    ]);
    expect(watch.peakGrowth).toBeLessThan(BOUND);
  });
});
