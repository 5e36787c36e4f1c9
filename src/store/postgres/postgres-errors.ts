/**
 * What a PostgreSQL failure means to the Store's callers, as a ClaypipeError:
 * a server that cannot be reached, went away or restarts is `state_unavailable`
 * (the caller waits and tries again); a write the constraints or types refuse
 * is `input_invalid` (the data is wrong, trying again will not help).
 */
import { ClaypipeError, coerceError } from "../../core/errors.js";

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** SQLSTATEs that mean the server is gone for now: connection failures, shutdowns, no free slot. */
function isUnreachable(code: string): boolean {
  return code.startsWith("08") || code.startsWith("57P") || code === "53300";
}

/** Serialization failures and deadlocks: the transaction was rolled back whole and may run again. */
export function isRetryableConflict(thrown: unknown): boolean {
  const code = (thrown as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}

/** True when the connection itself failed, so the pool must not hand it out again. */
export function isConnectionFailure(thrown: unknown): boolean {
  const code = (thrown as { code?: unknown } | null)?.code;
  return typeof code !== "string" || !SQLSTATE.test(code) || isUnreachable(code);
}

export function storeError(thrown: unknown, server: string): ClaypipeError {
  if (thrown instanceof ClaypipeError) return thrown;
  const error = coerceError(thrown);
  const code = (error as { code?: unknown }).code;
  // An AggregateError (every address of a host refused) has an empty message but a code.
  const said = error.message || (typeof code === "string" ? code : error.name);
  if (typeof code !== "string" || !SQLSTATE.test(code)) {
    return new ClaypipeError(
      "state_unavailable",
      `could not reach the PostgreSQL store at ${server} (${said})`,
      {
        hint: `check that PostgreSQL at ${server} is up and reachable, and the store's connectionString`,
        cause: thrown,
      },
    );
  }
  if (isUnreachable(code)) {
    return new ClaypipeError(
      "state_unavailable",
      `lost the PostgreSQL store at ${server}: ${code} ${said}`,
      {
        hint: `PostgreSQL at ${server} closed the connection or is restarting; try again once it is back (claypipe reconnects by itself)`,
        cause: thrown,
      },
    );
  }
  if (code.startsWith("23")) {
    return new ClaypipeError("input_invalid", `the PostgreSQL store refused a write: ${said}`, {
      hint: "an id was used twice, or a record refers to a lead that does not exist",
      cause: thrown,
    });
  }
  if (code.startsWith("22")) {
    return new ClaypipeError("input_invalid", `the PostgreSQL store refused a value: ${said}`, {
      hint: "a value cannot be stored as it is (a NUL character in text, or a number out of range); fix the input",
      cause: thrown,
    });
  }
  return new ClaypipeError(
    "state_unavailable",
    `the PostgreSQL store at ${server} failed: ${code} ${said}`,
    { hint: hintFor(code, server), cause: thrown },
  );
}

function hintFor(code: string, server: string): string {
  if (code.startsWith("28")) return "check the user and password in the store's connectionString";
  if (code === "3D000")
    return `create the database on ${server}, or fix the store's connectionString`;
  if (code === "42501") {
    return "let the store's user create the schema (or create it for them) and tables in it";
  }
  if (isRetryableConflict({ code })) {
    return "other workers kept conflicting with this write; it is safe to try it again";
  }
  return `check the log of PostgreSQL at ${server}`;
}
