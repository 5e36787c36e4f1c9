/** The file Source's adapters — a CSV file, a JSON Lines file, stdin — run the source contract. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll } from "vitest";
import { openLeadFile } from "../../src/intake/files/read-leads.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { csvRow, jsonLine, type SourceItem, sourceContract } from "./source-contract.js";

afterAll(() => removeTempDirs());

const csvText = (items: readonly SourceItem[], max: number) =>
  ["email,first_name,company", ...items.map((item) => csvRow(item, max))].join("\n") + "\n";
const jsonlText = (items: readonly SourceItem[], max: number) =>
  items.map((item) => `${jsonLine(item, max)}\n`).join("");

function fileWith(name: string, text: string): string {
  const path = join(makeTempDir("source"), name);
  writeFileSync(path, text);
  return path;
}

sourceContract("a CSV file", {
  open: (items, { maxItemBytes, signal }) =>
    openLeadFile(fileWith("leads.csv", csvText(items, maxItemBytes)), {
      maxLineBytes: maxItemBytes,
      ...(signal ? { signal } : {}),
    }),
});

sourceContract("a JSON Lines file", {
  open: (items, { maxItemBytes, signal }) =>
    openLeadFile(fileWith("leads.jsonl", jsonlText(items, maxItemBytes)), {
      maxLineBytes: maxItemBytes,
      ...(signal ? { signal } : {}),
    }),
});

sourceContract("CSV on stdin (format sniffed)", {
  open: (items, { maxItemBytes, signal }) =>
    openLeadFile("-", {
      stdin: Readable.from([Buffer.from(csvText(items, maxItemBytes))]),
      maxLineBytes: maxItemBytes,
      ...(signal ? { signal } : {}),
    }),
});

sourceContract("JSON Lines on stdin (format sniffed)", {
  open: (items, { maxItemBytes, signal }) =>
    openLeadFile("-", {
      stdin: Readable.from([Buffer.from(jsonlText(items, maxItemBytes))]),
      maxLineBytes: maxItemBytes,
      ...(signal ? { signal } : {}),
    }),
});
