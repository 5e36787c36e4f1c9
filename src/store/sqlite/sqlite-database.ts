/**
 * The SQLite driver port: the few calls the SQLite store makes (prepare with
 * run/get/all, exec, close) and how a driver's errors read. The adapters are
 * node-sqlite-driver.ts and better-sqlite3-driver.ts; sqlite-driver.ts picks one.
 */
/** Positional parameters as a tuple, or one object of named (`@name`) parameters. */
type Bind<P> = P extends unknown[] ? P : [P];

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface SqliteStatement<P extends unknown[] | object = unknown[], R = unknown> {
  run(...params: Bind<P>): RunResult;
  get(...params: Bind<P>): R | undefined;
  all(...params: Bind<P>): R[];
}

/** What a failure was, as far as the store needs to tell. */
export type SqliteErrorKind = "constraint" | "busy" | "other";

export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  readonly open: boolean;
  prepare<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): SqliteStatement<P, R>;
  /** Runs one or more statements that take no parameters (DDL, PRAGMA, BEGIN/COMMIT). */
  exec(sql: string): void;
  close(): void;
  /** The kind of a failure this driver threw; undefined when it is not a SQLite error. */
  errorKind(thrown: unknown): SqliteErrorKind | undefined;
}

export const SQLITE_DRIVERS = ["node:sqlite", "better-sqlite3"] as const;
export type SqliteDriverName = (typeof SQLITE_DRIVERS)[number];
