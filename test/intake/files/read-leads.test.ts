import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLeadFile } from "../../../src/intake/files/read-leads.js";
import { collect, streamOf, summarize } from "./read-helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "claypipe-read-leads-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("openLeadFile: files", () => {
  it.each([
    ["leads.csv", "csv", "email\na@x.io\n"],
    ["LEADS.CSV", "csv", "email\na@x.io\n"],
    ["leads.jsonl", "jsonl", '{"email":"a@x.io"}\n'],
    ["leads.ndjson", "jsonl", '{"email":"a@x.io"}\n'],
  ])("reads %s as %s", async (name, format, text) => {
    const file = await openLeadFile(await fileWith(name, text));
    expect(file.format).toBe(format);
    expect(summarize(await collect(file.records))).toEqual([
      `${format === "csv" ? 2 : 1} ok a@x.io`,
    ]);
  });

  it("lets an explicit format win over the extension", async () => {
    const file = await openLeadFile(await fileWith("export.txt", '{"email":"a@x.io"}\n'), {
      format: "jsonl",
    });
    expect(summarize(await collect(file.records))).toEqual(["1 ok a@x.io"]);
  });

  it.each([
    ["leads.json", "jq -c"],
    ["leads.xlsx", "CSV UTF-8"],
    ["leads.txt", "name the file .csv, .jsonl or .ndjson"],
  ])("refuses %s with a hint", async (name, hint) => {
    const path = await fileWith(name, "email\na@x.io\n");
    const error = await openLeadFile(path).catch((e) => e);
    expect(error).toMatchObject({
      code: "input_unreadable",
      message: `cannot tell the format of ${path} from its extension`,
    });
    expect(error.hint).toContain(hint);
  });

  it("refuses a missing file before reading anything", async () => {
    const path = join(dir, "missing.csv");
    const error = await openLeadFile(path).catch((e) => e);
    expect(error).toMatchObject({
      code: "input_unreadable",
      message: `cannot read ${path}: no such file`,
    });
    expect(error.hint).toContain("check the path");
  });

  it("refuses a folder", async () => {
    const path = join(dir, "folder.csv");
    await mkdir(path);
    await expect(openLeadFile(path)).rejects.toMatchObject({ code: "input_unreadable" });
  });
});

describe("openLeadFile: stdin", () => {
  it.each([
    ["jsonl", '\n  {"email":"a@x.io"}\n', "2 ok a@x.io"],
    ["csv", "\uFEFFemail\na@x.io\n", "2 ok a@x.io"],
  ])("sniffs %s from the first non-blank byte", async (format, text, expected) => {
    const stdin = new PassThrough();
    const opening = openLeadFile("-", { stdin });
    // The pipe delivers the text byte by byte, a little later.
    for (const byte of Buffer.from(text)) stdin.write(Buffer.from([byte]));
    stdin.end();
    const file = await opening;
    expect(file.format).toBe(format);
    expect(summarize(await collect(file.records))).toEqual([expected]);
  });

  it("uses the given format without sniffing", async () => {
    const file = await openLeadFile("-", { format: "csv", stdin: streamOf("email\n", "a@x.io\n") });
    expect(file.format).toBe("csv");
    expect(summarize(await collect(file.records))).toEqual(["2 ok a@x.io"]);
  });

  it("treats empty stdin as an empty CSV", async () => {
    const file = await openLeadFile("-", { stdin: streamOf() });
    await expect(collect(file.records)).rejects.toMatchObject({ code: "input_invalid" });
  });

  it("stops a read that waits on a silent pipe when the signal aborts", async () => {
    const stdin = new PassThrough();
    stdin.write("email\na@x.io\n");
    const controller = new AbortController();
    const file = await openLeadFile("-", { format: "csv", stdin, signal: controller.signal });
    const records = file.records[Symbol.asyncIterator]();
    expect(await records.next()).toMatchObject({ value: { line: 2, ok: true } });
    const waiting = records.next();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    expect(stdin.destroyed).toBe(true);
  });

  it("stops sniffing a silent pipe when the signal aborts", async () => {
    const controller = new AbortController();
    const opening = openLeadFile("-", { stdin: new PassThrough(), signal: controller.signal });
    controller.abort();
    await expect(opening).rejects.toMatchObject({ name: "AbortError" });
  });
});
