/**
 * The error a routing expression that does not parse raises: where it went
 * wrong (offset, line, column), what was expected, and the text with a caret
 * under the spot, ready to print.
 */
import { ClaypipeError } from "../core/errors.js";

/** How many characters of a long line the caret snippet shows around the spot. */
const SNIPPET_WIDTH = 80;

export const ROUTING_DOCS_HINT = "the rule language is described in docs/routing.md";

export class ExpressionError extends ClaypipeError {
  /** 0-based offset into the expression text (a UTF-16 index; the column on one-line text). */
  readonly position: number;
  /** 1-based line of the spot. */
  readonly line: number;
  /** 1-based column of the spot within its line, as the message says it. */
  readonly column: number;
  /** The line of the expression at fault and, under it, a caret at the spot. */
  readonly pointer: string;

  /**
   * @param text the whole expression
   * @param position 0-based offset of the spot
   * @param found what is at the spot, e.g. `unexpected "="`
   * @param expected what would have been right there, e.g. `a value`
   */
  constructor(text: string, position: number, found: string, expected: string) {
    const { line, column } = lineAndColumn(text, position);
    super("config_invalid", `${found} at ${describeSpot(text, position)}: expected ${expected}`, {
      hint: ROUTING_DOCS_HINT,
    });
    this.name = "ExpressionError";
    this.position = position;
    this.line = line;
    this.column = column;
    this.pointer = caretSnippet(text, position);
  }
}

/** "column 12" on one-line text, "line 2, column 5" when the text has several lines (both 1-based). */
export function describeSpot(text: string, position: number): string {
  const { line, column } = lineAndColumn(text, position);
  return text.includes("\n") ? `line ${line}, column ${column}` : `column ${column}`;
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < position; i = text.indexOf("\n", i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

/** The line holding `position`, cut to a window on long lines, with a caret line under it. */
function caretSnippet(text: string, position: number): string {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1;
  const newline = text.indexOf("\n", position);
  const lineEnd = newline === -1 ? text.length : newline;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  const column = position - lineStart;

  const from = Math.max(0, Math.min(column - SNIPPET_WIDTH / 2, line.length - SNIPPET_WIDTH));
  const to = Math.min(line.length, from + SNIPPET_WIDTH);
  const before = from > 0 ? "…" : "";
  const after = to < line.length ? "…" : "";
  // Control characters would move the caret out of line on a terminal; tabs are kept so it lines up.
  const shown = [...line.slice(from, to)]
    .map((char) => (isControl(char) && char !== "\t" ? " " : char))
    .join("");
  const pad = shown.slice(0, column - from).replace(/[^\t]/g, " ");
  return `${before}${shown}${after}\n${" ".repeat(before.length)}${pad}^`;
}

/** C0 controls and DEL: characters a terminal does not print as one column. */
export function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/** Source text as messages show it: quoted, escaped, cut short when long. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 30 ? `${text.slice(0, 29)}…` : text);
}
