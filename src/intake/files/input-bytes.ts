/**
 * The raw bytes of a lead file, chunk by chunk, with the start of the file
 * checked: a UTF-8 byte order mark is dropped, and files that are not UTF-8
 * text at all (UTF-16, an Excel workbook) are refused with one clear error
 * instead of a wrong answer on every line.
 */
import { ClaypipeError } from "../../core/errors.js";

/** Anything that yields the file's bytes: a Readable, `process.stdin`, an async generator. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

export interface InputBytesOptions {
  /** Stops reading; the pending read rejects with the signal's reason. */
  signal?: AbortSignal;
}

// Larger chunks are cut, so one huge chunk never makes a reader hold all of its lines at once.
const MAX_CHUNK_BYTES = 1 << 20;
const SNIFF_BYTES = 4;

export async function* readInputBytes(
  source: ByteSource,
  options: InputBytesOptions = {},
): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of abortable(source, options.signal)) {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : toBuffer(chunk);
    if (head !== undefined) {
      // The first chunk of a pipe may be a single byte; the checks need four.
      head = Buffer.concat([head, bytes]);
      if (head.length < SNIFF_BYTES) continue;
      bytes = checkFileStart(head);
      head = undefined;
    }
    for (let start = 0; start < bytes.length; start += MAX_CHUNK_BYTES) {
      yield bytes.subarray(start, start + MAX_CHUNK_BYTES);
    }
  }
  if (head !== undefined && head.length > 0) yield checkFileStart(head);
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The first bytes without a UTF-8 byte order mark, or an error when the file is not UTF-8 text. */
function checkFileStart(head: Buffer): Buffer {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new ClaypipeError("input_invalid", "the file is UTF-16; save it as UTF-8", {
      hint: 'in Excel choose "CSV UTF-8 (Comma delimited)"; or run `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`',
    });
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new ClaypipeError(
      "input_invalid",
      "the file is a ZIP archive (an Excel workbook?), not text",
      {
        hint: 'export the sheet as "CSV UTF-8 (Comma delimited)" and import that file',
      },
    );
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return head.subarray(3);
  return head;
}

/**
 * Iterates `source` until `signal` aborts. A read that is waiting (stdin with
 * nothing to say) is abandoned at once rather than at the next chunk.
 */
async function* abortable<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  if (signal === undefined) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  let waiting = false;
  try {
    while (true) {
      signal.throwIfAborted();
      waiting = true;
      const step = await untilAborted(iterator.next(), signal);
      waiting = false;
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // A generator cannot return while its `next()` is pending, so only close
    // the source when nothing is waiting on it; a Readable then gets destroyed.
    const closing = iterator.return?.();
    if (waiting) closing?.catch(() => undefined);
    else await closing;
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
