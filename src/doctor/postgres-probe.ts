/** Connects to PostgreSQL once, asks its version, and says what a failure means. */
import type { Client } from "pg";
import { loadPg } from "../postgres/load-pg.js";

/** What a PostgreSQL refusal (by SQLSTATE or socket error code) asks of the user. */
export function postgresHint(thrown: unknown, key: string): string {
  const code = (thrown as { code?: unknown }).code;
  if (code === "28P01" || code === "28000") {
    return `check the user and password in ${key}`;
  }
  if (code === "3D000") return `create the database, or name an existing one in ${key}`;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH") {
    return `start PostgreSQL, or fix the host and port in ${key}`;
  }
  return `check that PostgreSQL runs and ${key} is right`;
}

/** Runs `work` on a fresh connection, closed afterwards whatever happens. */
export async function withPostgres<T>(
  connectionString: string,
  timeoutMs: number,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const pg = await loadPg("the doctor's PostgreSQL check");
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "claypipe doctor",
  });
  // A connection that breaks after the check emits "error": unheard, it would end the process.
  client.on("error", () => {});
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** "PostgreSQL 16.4" from `SELECT version()`. */
export async function postgresVersion(client: Client): Promise<string> {
  const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
  return rows[0]?.version.split(" ").slice(0, 2).join(" ") ?? "PostgreSQL (version unknown)";
}
