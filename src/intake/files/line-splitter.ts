/**
 * Cuts a byte stream into lines ("\n" or "\r\n") with their 1-based numbers.
 * A line longer than the cap is never held: its bytes are dropped as they
 * arrive and only its number comes out, so one 50 MB line costs no memory.
 */

export type SplitLine = { line: number; bytes: Buffer } | { line: number; tooLong: true };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private readonly maxLineBytes: number;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private skipping = false;
  private line = 1;

  constructor(maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Adds the lines that `chunk` completes to `out`. */
  push(chunk: Buffer, out: SplitLine[]): void {
    let start = 0;
    let newline = chunk.indexOf(LF, start);
    while (newline !== -1) {
      this.finishLine(chunk.subarray(start, newline), out);
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Adds the last line, when the input does not end with a line break. */
  end(out: SplitLine[]): void {
    if (this.skipping || this.partsLength > 0) this.finishLine(Buffer.alloc(0), out);
  }

  private keep(rest: Buffer): void {
    if (this.skipping) return;
    if (this.partsLength + rest.length > this.maxLineBytes + 1) {
      // One byte of slack: a "\r" waiting for its "\n" is not part of the line.
      this.dropParts();
      this.skipping = true;
      return;
    }
    this.parts.push(rest);
    this.partsLength += rest.length;
  }

  private finishLine(tail: Buffer, out: SplitLine[]): void {
    const line = this.line++;
    if (this.skipping) {
      this.skipping = false;
      out.push({ line, tooLong: true });
      return;
    }
    let bytes = tail;
    if (this.parts.length > 0) {
      this.parts.push(tail);
      bytes = Buffer.concat(this.parts, this.partsLength + tail.length);
      this.dropParts();
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
    out.push(bytes.length > this.maxLineBytes ? { line, tooLong: true } : { line, bytes });
  }

  private dropParts(): void {
    this.parts = [];
    this.partsLength = 0;
  }
}
