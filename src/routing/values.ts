/**
 * What the operators do with the values they meet in a row: truthiness,
 * equality, ordering and text matching. Every function is total: any value,
 * of any type, gives an answer and never an exception.
 */
import type { LiteralValue } from "./ast.js";

/** A value as the evaluator sees it: objects, arrays and anything else not comparable are OTHER. */
export type Value = LiteralValue | typeof OTHER;

export const OTHER: unique symbol = Symbol("not comparable");

// Decimal numbers only: "120", "-3", "2.5", "1e6" (spaces around are trimmed first, so the
// pattern has no run of spaces to retry); never "0x10" or "Infinity".
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A row's field value, reduced to what the language can compare. */
export function toValue(raw: unknown): Value {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") return raw;
  return OTHER;
}

/** Everything is true except null, false, 0, NaN and "". */
export function isTruthy(value: Value): boolean {
  return !(value === null || value === false || value === 0 || value === "" || Number.isNaN(value));
}

/** Numbers, and strings that spell a decimal number; undefined otherwise. */
function asNumber(value: Value): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMERIC_TEXT.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * `==`: null equals only null; a number equals a numeric string of the same
 * value; otherwise both must have the same type and value (strings exactly).
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === OTHER || b === OTHER) return false;
  if (typeof a === "number" && typeof b === "string") return asNumber(b) === a;
  if (typeof a === "string" && typeof b === "number") return asNumber(a) === b;
  return a === b;
}

/** `ieq`: like `==`, but two strings are compared without regard to case. */
export function valuesEqualIgnoringCase(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return valuesEqual(a, b);
}

/**
 * Sign of a - b for `<`, `<=`, `>`, `>=`: numerically when both are numbers or
 * numeric strings, else by UTF-16 code units when both are strings; undefined
 * when the two cannot be ordered (null, booleans, objects, a number and a word).
 */
export function compareOrder(a: Value, b: Value): number | undefined {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    if (x < y) return -1;
    return x > y ? 1 : x === y ? 0 : undefined;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** `contains`, `starts_with`, `ends_with`: on text (numbers as written in decimal), ignoring case. */
export function matchText(
  operator: "contains" | "starts_with" | "ends_with",
  a: Value,
  b: Value,
): boolean {
  const text = asText(a);
  const part = asText(b);
  if (text === undefined || part === undefined) return false;
  if (operator === "contains") return text.includes(part);
  return operator === "starts_with" ? text.startsWith(part) : text.endsWith(part);
}

function asText(value: Value): string | undefined {
  if (typeof value === "string") return value.toLowerCase();
  return typeof value === "number" ? String(value) : undefined;
}
