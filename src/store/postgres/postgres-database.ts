/**
 * The connection pool behind the PostgreSQL Store: loads `pg` on first use (so
 * the embedded tier never does), names the tables of claypipe's schema, runs
 * single statements and transactions, and turns every failure into a
 * ClaypipeError. A transaction the server rolled back for a deadlock or a
 * serialization failure runs again from the start.
 */

import { createHash } from "node:crypto";
import type { Client, Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
import { ClaypipeError } from "../../core/errors.js";
import { loadPg } from "../../postgres/load-pg.js";
import { isConnectionFailure, isRetryableConflict, storeError } from "./postgres-errors.js";

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<QueryResult<R>>;
}

export interface OpenPostgresDatabaseOptions {
  connectionString: string;
  /** The schema holding claypipe's tables: a plain identifier (letters, digits, `_`). */
  schema: string;
  /** Most connections the pool opens. */
  poolSize: number;
}

/** Ends a transaction early with `result`, rolling back everything it wrote. */
export type Refuse<T> = (result: T) => never;

const CONNECT_TIMEOUT_MS = 10_000;
const ATTEMPTS = 5;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

class Refusal {
  constructor(readonly result: unknown) {}
}

export class PostgresDatabase {
  private closing: Promise<void> | undefined;
  private readonly statementNames = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    /** The schema's name, quoted for SQL. */
    readonly schema: string,
    /** Host, port and database, for messages (never the password). */
    readonly server: string,
    /** A connected client outside the pool, for a connection held open (LISTEN). */
    readonly openClient: () => Promise<Client>,
  ) {}

  /** A table of claypipe's schema, quoted for SQL. */
  table(name: string): string {
    return `${this.schema}."${name}"`;
  }

  /** One statement, in a transaction of its own. */
  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[] = [],
  ): Promise<QueryResult<R>> {
    return this.run<R>({ text, values: params });
  }

  /**
   * One statement of a lead's path (a claim, a move, a read by id), prepared
   * once per connection and then only bound and run: the server parses and
   * plans it once, not on every lead. Only for statements keyed by ids, whose
   * generic plan is the plan; a search keeps `query`, planned for its values.
   */
  async prepared<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[],
  ): Promise<QueryResult<R>> {
    let name = this.statementNames.get(text);
    if (name === undefined) {
      name = `claypipe_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
      this.statementNames.set(text, name);
    }
    return this.run<R>({ name, text, values: params });
  }

  private async run<R extends QueryResultRow>(statement: {
    name?: string;
    text: string;
    values: unknown[];
  }): Promise<QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const result = await client.query<R>(statement);
        client.release();
        return result;
      } catch (thrown) {
        client?.release(isConnectionFailure(thrown));
        // A deadlocked statement was rolled back whole, so running it again is safe.
        if (attempt < ATTEMPTS && isRetryableConflict(thrown)) continue;
        throw storeError(thrown, this.server);
      }
    }
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED), committing what it returns.
   * `work` may run more than once (after a deadlock), so it must only write through `tx`.
   */
  async transaction<T>(work: (tx: Queryable, refuse: Refuse<T>) => Promise<T>): Promise<T> {
    const refuse: Refuse<T> = (result) => {
      throw new Refusal(result);
    };
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient | undefined;
      let begun = false;
      try {
        client = await this.pool.connect();
        await client.query("BEGIN");
        begun = true;
        const result = await work(client, refuse);
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (thrown) {
        if (client !== undefined) await this.rollback(client);
        if (thrown instanceof Refusal) return thrown.result as T;
        if (attempt < ATTEMPTS && isRetryableConflict(thrown)) continue;
        // A pooled connection the server dropped while idle fails at BEGIN, before any write.
        if (attempt === 1 && client !== undefined && !begun && isConnectionFailure(thrown))
          continue;
        throw storeError(thrown, this.server);
      }
    }
  }

  async close(): Promise<void> {
    this.closing ??= this.pool.end();
    await this.closing;
  }

  private async rollback(client: PoolClient): Promise<void> {
    try {
      await client.query("ROLLBACK");
      client.release();
    } catch {
      // The connection broke on the way: drop it rather than hand it out again.
      client.release(true);
    }
  }
}

export async function openPostgresDatabase(
  options: OpenPostgresDatabaseOptions,
): Promise<PostgresDatabase> {
  if (!IDENTIFIER.test(options.schema)) {
    throw new ClaypipeError(
      "config_invalid",
      `"${options.schema}" cannot name the PostgreSQL store's schema`,
      {
        hint: "use letters, digits and underscores, starting with a letter or underscore (63 at most)",
      },
    );
  }
  const pg = await loadPg("the PostgreSQL store");
  const connection = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "claypipe",
  };
  const pool = new pg.Pool({
    ...connection,
    max: Math.max(1, Math.floor(options.poolSize)),
    // Times, counts and credit amounts are bigint columns well inside 2^53: read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === pg.types.builtins.INT8
          ? Number
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A broken idle connection is dropped by the pool; the next query opens a fresh one and
  // reports any lasting failure. Unheard, this event would end the process.
  pool.on("error", () => {});
  // A connection that breaks while checked out also emits "error" (its query fails as well,
  // and that failure is what the caller hears), so every connection gets a listener.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return new PostgresDatabase(
    pool,
    `"${options.schema}"`,
    describeServer(options.connectionString),
    async () => {
      const client = new pg.Client(connection);
      await client.connect();
      return client;
    },
  );
}

/** Caps a LIMIT: PostgreSQL refuses a negative one, and a caller asking for none gets none. */
export function rowLimit(limit: number): number {
  return Math.max(0, Math.floor(limit));
}

function describeServer(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.hostname || "localhost";
    return `${host}:${url.port || "5432"}${url.pathname.length > 1 ? url.pathname : ""}`;
  } catch {
    return "the server in the connectionString";
  }
}
