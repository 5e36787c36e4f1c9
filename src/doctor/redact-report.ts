/**
 * The last guard before a report leaves: every secret value the config holds
 * (and the password inside each connection string) is replaced wherever a
 * check's text might carry it, e.g. inside a library's error message.
 */
import { isSecretKey } from "../config/secret-paths.js";
import { isSet } from "../config/unset-variable.js";
import type { DoctorCheck } from "./doctor-report.js";

const SHOWN = "(secret)";

export function secretValues(config: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, secret: boolean): void => {
    if (Array.isArray(node)) for (const item of node) visit(item, secret);
    else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) visit(child, secret || isSecretKey(key));
    } else if (secret && typeof node === "string" && node.length > 0 && isSet(node)) {
      for (const value of secretParts(node)) found.add(value);
    }
  };
  visit(config, false);
  // Longest first, so a connection string goes before the password inside it.
  return [...found].sort((a, b) => b.length - a.length);
}

/** Shorter secrets are replaced only as whole words, so a test token "t" leaves "at" alone. */
const ANYWHERE = 12;

export function redactChecks(checks: DoctorCheck[], secrets: readonly string[]): DoctorCheck[] {
  const patterns = secrets.map((secret) => {
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(
      secret.length >= ANYWHERE ? escaped : `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`,
      "g",
    );
  });
  const redact = (text: string) =>
    patterns.reduce((shown, pattern) => shown.replace(pattern, SHOWN), text);
  return checks.map((check) => ({
    ...check,
    found: redact(check.found),
    ...(check.hint === undefined ? {} : { hint: redact(check.hint) }),
  }));
}

// A connection string's secret is its password (and a credential in its query, e.g. ?password=):
// the rest is the address every line shows. Any other secret is secret whole (a Slack URL).
const CONNECTION_SCHEMES = new Set([
  "postgres:",
  "postgresql:",
  "redis:",
  "rediss:",
  "nats:",
  "tls:",
]);

function secretParts(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [value];
  }
  if (!CONNECTION_SCHEMES.has(url.protocol)) return [value];
  const credentials = [...url.searchParams]
    .filter(([key]) => /pass|secret|token|key/i.test(key))
    .map(([, part]) => part);
  return [decodeURIComponent(url.password), ...credentials].filter((part) => part.length > 0);
}
