/**
 * Which config values are secrets, so that no message ever shows one: a value
 * is secret when any key on its path is a secret key (`server.apiKeys[0]`, or
 * anything written under `callbacks.secret`).
 */
import { SECRET_KEYS } from "./schema.js";

export const SECRET_NOT_SHOWN = "(secret, not shown)";

export function isSecretKey(key: PropertyKey): boolean {
  return (SECRET_KEYS as readonly unknown[]).includes(key);
}

export function isSecretPath(path: ReadonlyArray<PropertyKey>): boolean {
  return path.some(isSecretKey);
}

/** A copy of a value with everything under a secret key replaced, for showing in messages. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      isSecretKey(key) ? SECRET_NOT_SHOWN : redactSecrets(child),
    ]),
  );
}
