/**
 * Reads a numeric CLI option strictly: "abc", "", "1.5" or a value below the
 * minimum is refused with the flag's name, instead of turning into NaN, 0 or
 * a silent default further on.
 */

import { echoInput } from "../core/echo-input.js";
import { ClaypipeError } from "../core/errors.js";

export interface NumberOptionRule {
  /** The smallest value allowed. */
  min: number;
  /** The largest value allowed. @defaultValue Number.MAX_SAFE_INTEGER */
  max?: number;
  /** Only whole numbers. @defaultValue true */
  whole?: boolean;
}

export function parseNumberOption(flag: string, value: string, rule: NumberOptionRule): number {
  const whole = rule.whole ?? true;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  const trimmed = value.trim();
  const parsed = trimmed === "" ? Number.NaN : Number(trimmed);
  const fits =
    Number.isFinite(parsed) &&
    (!whole || Number.isInteger(parsed)) &&
    parsed >= rule.min &&
    parsed <= max;
  if (fits) return parsed;
  const kind = whole ? "a whole number" : "a number";
  const range =
    rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  throw new ClaypipeError(
    "input_invalid",
    `${flag} must be ${kind} ${range} (got "${echoInput(value)}")`,
    { hint: `write it in digits, e.g. ${flag} ${Math.max(rule.min, 1)}` },
  );
}

/** `--time-scale`: how much faster a Clay minute runs; any positive number. */
export const TIME_SCALE: NumberOptionRule = { min: 0.001, whole: false };
