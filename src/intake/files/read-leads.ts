/**
 * The file Source: opens a lead file for `claypipe send` and `claypipe import`: picks CSV or
 * JSON Lines from the extension (or, for "-" = stdin, from the first byte),
 * and says clearly when the file is missing or of a kind claypipe cannot read.
 */
import { constants, createReadStream } from "node:fs";
import { access, stat } from "node:fs/promises";
import { extname } from "node:path";
import { ClaypipeError, coerceError, isAbortError } from "../../core/errors.js";
import type { LeadSource } from "../source.js";
import { readCsvLeads } from "./csv-leads.js";
import { type ByteSource, readInputBytes } from "./input-bytes.js";
import { readJsonlLeads } from "./jsonl-leads.js";
import type { LeadRecord } from "./lead-record.js";

export type LeadFileFormat = "csv" | "jsonl";

export interface OpenLeadFileOptions {
  /** @defaultValue from the extension (.csv, .jsonl, .ndjson); for stdin, from its first non-blank byte */
  format?: LeadFileFormat;
  /** Longer lines are skipped and reported. @defaultValue 1 MiB */
  maxLineBytes?: number;
  /** Stops reading (and sniffing stdin). */
  signal?: AbortSignal;
  /** What "-" reads. @defaultValue process.stdin */
  stdin?: ByteSource;
}

/** A lead file or stdin as a Source (../source.ts). */
export interface LeadFile extends LeadSource {
  readonly format: LeadFileFormat;
}

const EXTENSIONS: Record<string, LeadFileFormat> = {
  ".csv": "csv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};
const READ_CHUNK_BYTES = 256 * 1024;

export async function openLeadFile(
  pathOrDash: string,
  options: OpenLeadFileOptions = {},
): Promise<LeadFile> {
  if (pathOrDash === "-") return openStdin(options);
  const format = options.format ?? formatFromExtension(pathOrDash);
  await checkReadable(pathOrDash);
  return {
    name: pathOrDash,
    format,
    records: readLeads(format, readFileBytes(pathOrDash), options),
  };
}

async function openStdin(options: OpenLeadFileOptions): Promise<LeadFile> {
  const source = options.stdin ?? process.stdin;
  if (options.format) {
    const { format } = options;
    return { name: "stdin", format, records: readLeads(format, source, options) };
  }
  const chunks = readInputBytes(source, { signal: options.signal });
  const head: Buffer[] = [];
  let first: number | undefined;
  while (first === undefined) {
    const step = await chunks.next();
    if (step.done) break;
    head.push(step.value);
    first = step.value.find(
      (byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d,
    );
  }
  const format: LeadFileFormat = first === 0x7b ? "jsonl" : "csv";
  return { name: "stdin", format, records: readLeads(format, replay(head, chunks), options) };
}

function readLeads(
  format: LeadFileFormat,
  source: ByteSource,
  options: OpenLeadFileOptions,
): AsyncIterable<LeadRecord> {
  const readerOptions = { maxLineBytes: options.maxLineBytes, signal: options.signal };
  return format === "csv"
    ? readCsvLeads(source, readerOptions)
    : readJsonlLeads(source, readerOptions);
}

async function* replay(head: Buffer[], rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  yield* rest;
}

function formatFromExtension(path: string): LeadFileFormat {
  const extension = extname(path).toLowerCase();
  const format = EXTENSIONS[extension];
  if (format) return format;
  const hint =
    extension === ".json"
      ? `claypipe reads JSON Lines, one object per line: convert an array with \`jq -c '.[]' ${path} > leads.jsonl\``
      : [".xlsx", ".xls", ".numbers", ".ods"].includes(extension)
        ? 'export the sheet as "CSV UTF-8" and read that file'
        : "name the file .csv, .jsonl or .ndjson, or give the format explicitly (csv or jsonl)";
  throw new ClaypipeError(
    "input_unreadable",
    `cannot tell the format of ${path} from its extension`,
    { hint },
  );
}

async function checkReadable(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) {
      throw new ClaypipeError("input_unreadable", `${path} is a folder, not a lead file`, {
        hint: "give the path of a .csv or .jsonl file",
      });
    }
    await access(path, constants.R_OK);
  } catch (error) {
    if (error instanceof ClaypipeError) throw error;
    throw unreadable(path, error);
  }
}

async function* readFileBytes(path: string): AsyncGenerator<Buffer> {
  try {
    yield* createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  } catch (error) {
    if (error instanceof ClaypipeError || isAbortError(error)) throw error;
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): ClaypipeError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
        ? "permission denied"
        : coerceError(error).message;
  return new ClaypipeError("input_unreadable", `cannot read ${path}: ${reason}`, {
    hint:
      code === "ENOENT"
        ? "check the path, or use - to read leads from stdin"
        : "check the file and its permissions",
    cause: error,
  });
}
