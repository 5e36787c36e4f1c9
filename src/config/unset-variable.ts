/**
 * A secret a command never uses may be unset when it runs (`status` never
 * signs a callback): the config then holds a stand-in that names the
 * variable, long enough for the schema and never a usable secret, and any
 * code that would use it refuses with the variable to set.
 */
import { ClaypipeError } from "../core/errors.js";

// NUL never comes from an environment variable, so no real value looks like this.
const MARK = "\u0000unset:";

/** The stand-in for an unset (or empty) variable; it passes any length check up to 64. */
export function unsetStandIn(name: string, empty = false): string {
  return `${MARK}${empty ? "=" : ""}${name}`.padEnd(64, "\u0000");
}

/** Whether `value` is a real value, not a stand-in. */
export function isSet(value: string): boolean {
  return !value.startsWith(MARK);
}

/** Throws when `value` is a stand-in: the command that reads it needs its variable. */
export function requireSet(value: string, key: string): string {
  if (isSet(value)) return value;
  let end = value.length;
  while (end > MARK.length && value[end - 1] === "\u0000") end -= 1;
  const empty = value[MARK.length] === "=";
  const name = value.slice(MARK.length + (empty ? 1 : 0), end);
  const state = empty ? "is set but empty" : "is not set";
  throw new ClaypipeError("config_invalid", `${key}: the environment variable ${name} ${state}`, {
    hint: `give ${name} a value: export it or add it to .env beside the config`,
  });
}
