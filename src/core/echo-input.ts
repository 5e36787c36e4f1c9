/**
 * How much of a client's input an answer or a message repeats. An echo helps
 * a person find what was wrong; a whole 10,000-character field name does not,
 * and makes every error answer as large as the input that caused it.
 */

/** The most characters of one input value an answer repeats. */
export const ECHO_MAX = 60;

/** `text`, or its first `max` characters and "…": ("xxxx…xxxx", 3) → "xxx…". */
export function echoInput(text: string, max = ECHO_MAX): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
