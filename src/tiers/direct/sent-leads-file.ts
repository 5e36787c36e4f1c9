/**
 * The direct tier's dedupe memory: which leads it sent to Clay, and when. One
 * line per lead sent — a hash of its dedupe key and the time — appended as each
 * one is sent, so a 100k-row run writes 100k short lines, never the whole set.
 *
 * Opening reads the file, forgets entries older than the dedupe window, and
 * rewrites it atomically (temp file, fsync, rename) when it held forgotten,
 * repeated or torn lines, so the file stays bounded by what was sent within the
 * window (about 48 bytes a lead). A crash can tear only the last line, which the
 * next open skips; an entry lost that way lets one lead be sent again, never
 * keeps one from being sent. Keys are hashed: the file holds no email or name.
 *
 * One process at a time, like the capacity counters beside it.
 */
import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ClaypipeError } from "../../core/errors.js";
import { writeFileAtomic } from "./atomic-file.js";

const HASH_CHARS = 32;
const HEX = /^[0-9a-f]+$/;

export interface SentLeadsOptions {
  /** Entries older than this many ms are forgotten. */
  windowMs: number;
  now: number;
}

export class SentLeadsFile {
  private handle: FileHandle | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly windowMs: number,
    private readonly sent: Map<string, number>,
  ) {}

  /** Reads `path` (a missing file is a fresh start), dropping what the window has forgotten. */
  static async open(path: string, options: SentLeadsOptions): Promise<SentLeadsFile> {
    const { sent, lines } = await load(path, options);
    const file = new SentLeadsFile(path, options.windowMs, sent);
    if (lines !== sent.size) await file.compact();
    return file;
  }

  /** How many leads were sent within the window, without changing the file (for status). */
  static async count(path: string, options: SentLeadsOptions): Promise<number> {
    return (await load(path, options)).sent.size;
  }

  /** When the lead with this dedupe key was sent, if within the window of `now`. */
  sentAt(key: string, now: number): number | undefined {
    const at = this.sent.get(hashKey(key));
    return at !== undefined && at > now - this.windowMs ? at : undefined;
  }

  /** Leads remembered: those sent within the window, as of the last open. */
  get size(): number {
    return this.sent.size;
  }

  /** Remembers that the lead with this key was sent at `at`; appended to the file at once. */
  record(key: string, at: number): Promise<void> {
    const hash = hashKey(key);
    this.sent.set(hash, at);
    const write = this.writes.then(async () => {
      this.handle ??= await open(this.path, "a");
      await this.handle.write(`${hash} ${at}\n`);
    });
    this.writes = write.catch(() => undefined);
    return write.catch((thrown) => {
      throw unavailable(this.path, thrown);
    });
  }

  /** Waits for the appends and flushes them to disk. */
  async close(): Promise<void> {
    await this.writes;
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  private async compact(): Promise<void> {
    const text = [...this.sent].map(([hash, at]) => `${hash} ${at}\n`).join("");
    try {
      await writeFileAtomic(this.path, text);
    } catch (thrown) {
      throw unavailable(this.path, thrown);
    }
  }
}

async function load(
  path: string,
  options: SentLeadsOptions,
): Promise<{ sent: Map<string, number>; lines: number }> {
  const since = options.now - options.windowMs;
  let text = "";
  try {
    await mkdir(dirname(path), { recursive: true });
    text = await readFile(path, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code !== "ENOENT") throw unavailable(path, thrown);
  }
  const sent = new Map<string, number>();
  let lines = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    lines += 1;
    const entry = parseLine(line);
    if (entry && entry.at > since) {
      sent.set(entry.hash, Math.max(entry.at, sent.get(entry.hash) ?? 0));
    }
  }
  return { sent, lines };
}

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, HASH_CHARS);
}

function parseLine(line: string): { hash: string; at: number } | undefined {
  const space = line.indexOf(" ");
  const hash = line.slice(0, space);
  const at = Number(line.slice(space + 1));
  if (space !== HASH_CHARS || !HEX.test(hash) || !Number.isSafeInteger(at)) return undefined;
  return { hash, at };
}

function unavailable(path: string, cause: unknown): ClaypipeError {
  return new ClaypipeError("state_unavailable", `could not use the sent-leads file ${path}`, {
    hint: "check that the state directory is writable and the disk is not full; deleting the file only forgets which leads were sent (repeats would be sent again)",
    cause,
  });
}
