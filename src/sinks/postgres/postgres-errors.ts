/**
 * What a PostgreSQL failure means for the records: a connection that failed
 * or broke, a busy or restarting server, a deadlock or a full disk pass, so
 * they are tried again; a refused login, a missing database, missing
 * privileges or a table of another shape need a person, so they are final.
 */
import { ClaypipeError, coerceError } from "../../core/errors.js";
import type { SinkResult } from "../sink.js";

type Failure = SinkResult & { ok: false };

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** SQLSTATE classes that pass: connection, resources, operator intervention, rollbacks, system errors. */
const PASSING_CLASSES = new Set(["08", "40", "53", "57", "58"]);
const PASSING_CODES = new Set(["55P03"]);

export function classifyPostgresError(thrown: unknown, table: string): Failure {
  if (thrown instanceof ClaypipeError) {
    return { ok: false, retryable: false, reason: thrown.describe() };
  }
  const error = coerceError(thrown);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !SQLSTATE.test(code)) {
    // No SQLSTATE: the server never answered (refused, reset, timed out).
    const what = typeof code === "string" ? `${code}: ${error.message}` : error.message;
    return {
      ok: false,
      retryable: true,
      reason: `could not reach PostgreSQL (${what}): check that it is up and the sink's connectionString`,
    };
  }
  const said = `PostgreSQL said ${code} "${error.message}"`;
  if (PASSING_CLASSES.has(code.slice(0, 2)) || PASSING_CODES.has(code)) {
    return { ok: false, retryable: true, reason: `${said}, a passing failure on the server` };
  }
  if (code.startsWith("28")) {
    return final(`${said}: check the user and password in the sink's connectionString`);
  }
  if (code === "3D000") return final(`${said}: create the database or fix the connectionString`);
  if (code === "42501") {
    return final(
      `${said}: let the sink's user create tables in the schema and insert and update "${table}"`,
    );
  }
  if (code.startsWith("42")) {
    return final(
      `${said}: if "${table}" already exists with other columns, give the sink another table name`,
    );
  }
  if (code.startsWith("22") || code.startsWith("23")) {
    return final(`${said}: the server refused the data; report it with the lead ids`);
  }
  return { ok: false, retryable: true, reason: said };
}

function final(reason: string): Failure {
  return { ok: false, retryable: false, reason };
}
