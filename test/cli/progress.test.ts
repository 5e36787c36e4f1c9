/** The progress display and other lines on the same terminal: never mixed on one line. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.js";
import { createLogger } from "../../src/logging/create-logger.js";

const CLEAR_LINE = "\r\x1b[2K";

/** A stream that says it is a terminal and keeps what was written. */
function fakeTerminal(isTTY: boolean) {
  let written = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  return { stream, written: () => written };
}

/** What a terminal shows: each \r returns to the line start, ESC[2K clears the line. */
function screen(output: string): string[] {
  const lines: string[] = [""];
  for (const [index, row] of output.split("\n").entries()) {
    if (index > 0) lines.push("");
    const cleared = row.split(CLEAR_LINE);
    lines[lines.length - 1] = cleared.length > 1 ? cleared.at(-1)! : lines.at(-1)! + row;
  }
  return lines;
}

describe("progress on a terminal", () => {
  it("prints a log line above the bar, as words not JSON, and draws the bar again below it", async () => {
    const terminal = fakeTerminal(true);
    const progress = createProgress({ label: "read", total: 10, stream: terminal.stream });
    const logger = createLogger("info", progress.logStream);
    progress.update({ done: 3, note: "sent to Clay 3" });
    logger.warn("webhook #0 retired");
    progress.print("line 4: email: not valid");
    progress.finish({ done: 10, note: "sent to Clay 9 · not sent 1" });

    const lines = screen(terminal.written());
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("warning: webhook #0 retired");
    expect(lines[1]).toBe("line 4: email: not valid");
    expect(lines[2]).toMatch(/^\[█+\] read 10\/10 · .* · sent to Clay 9 · not sent 1$/);
    expect(lines[3]).toBe("");
  });

  it("writes plain lines when not on a terminal, and prints after finish as they come", () => {
    const pipe = fakeTerminal(false);
    const progress = createProgress({ label: "read", total: 2, stream: pipe.stream });
    progress.print("line 1: bad");
    progress.finish({ done: 2, note: "sent to Clay 1 · not sent 1" });
    progress.print("after");
    expect(pipe.written()).not.toContain(CLEAR_LINE);
    expect(pipe.written().split("\n")).toEqual([
      "line 1: bad",
      expect.stringMatching(/^read 2\/2 · .* · sent to Clay 1 · not sent 1$/),
      "after",
      "",
    ]);
  });

  it("keeps log lines as JSON when not on a terminal, for log collectors", () => {
    const pipe = fakeTerminal(false);
    const progress = createProgress({ label: "read", total: 2, stream: pipe.stream });
    createLogger("info", progress.logStream).warn("webhook #0 retired");
    expect(JSON.parse(pipe.written().split("\n")[0]!)).toMatchObject({
      level: 40,
      msg: "webhook #0 retired",
    });
  });
});
