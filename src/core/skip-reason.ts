/**
 * The reason a skipped lead is stored with names the `enrichIf` rule that
 * skipped it; routing reads the rule back from it (rule names are letters,
 * digits, - and _, so the quotes are unambiguous).
 */

const PREFIX = 'skipped by enrichIf rule "';

export function skipReason(rule: string): string {
  return `${PREFIX}${rule}"`;
}

/** The rule a skipped lead's reason names, or undefined for any other reason. */
export function skippingRule(reason: string | null): string | undefined {
  if (reason === null || !reason.startsWith(PREFIX)) return undefined;
  const end = reason.indexOf('"', PREFIX.length);
  return end === -1 ? undefined : reason.slice(PREFIX.length, end);
}
