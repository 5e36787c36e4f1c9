/**
 * The SQLite driver port: the few calls the SQLite store makes (prepare with
 * run/get/all, exec, close) and how a driver's errors read. Two adapters
 * provide it: Node's built-in `node:sqlite` (Node 22.13+ and 24) and the
 * better-sqlite3 package (Node 20, which has no built-in SQLite; better-sqlite3
 * 12 aborts on Node 24). A driver's module loads only when it is chosen, so
 * Node 24 never loads better-sqlite3's native module.
 */
import { ClaypipeError } from "../../core/errors.js";
import { betterSqlite3Loads, openBetterSqlite3 } from "./better-sqlite3-driver.js";
import { loadNodeSqliteModule, openNodeSqlite } from "./node-sqlite-driver.js";

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

export interface OpenSqliteOptions {
  readonly?: boolean;
  /**
   * Which driver to use; the default is CLAYPIPE_SQLITE_DRIVER when set, else
   * node:sqlite where this Node.js has it, else better-sqlite3.
   */
  driver?: SqliteDriverName;
}

/** Opens a SQLite file (or ":memory:") with the chosen driver. */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  const driver = options.driver ?? defaultSqliteDriver();
  const readonly = options.readonly ?? false;
  if (driver === "better-sqlite3" && betterSqlite3Aborts()) {
    throw new ClaypipeError(
      "config_invalid",
      `better-sqlite3 cannot run on Node.js ${process.version}: its native module aborts the process there`,
      { hint: "use the built-in driver: unset CLAYPIPE_SQLITE_DRIVER or set it to node:sqlite" },
    );
  }
  return driver === "node:sqlite"
    ? openNodeSqlite(path, readonly)
    : openBetterSqlite3(path, readonly);
}

/** The drivers this Node.js can use, the default first (loads better-sqlite3 to find out). */
export function availableSqliteDrivers(): SqliteDriverName[] {
  const drivers: SqliteDriverName[] = hasNodeSqlite() ? ["node:sqlite"] : [];
  if (!betterSqlite3Aborts() && betterSqlite3Loads()) drivers.push("better-sqlite3");
  return drivers;
}

/**
 * better-sqlite3 12 aborts the process on Node.js 24 (a native assertion when
 * the garbage collector frees a statement), so it is never loaded there.
 */
export function betterSqlite3Aborts(): boolean {
  return Number(process.versions.node.split(".")[0]) >= 24;
}

export function defaultSqliteDriver(): SqliteDriverName {
  const chosen = process.env.CLAYPIPE_SQLITE_DRIVER;
  if (chosen !== undefined && chosen !== "") {
    const driver = SQLITE_DRIVERS.find((name) => name === chosen);
    if (!driver) {
      throw new ClaypipeError(
        "config_invalid",
        `CLAYPIPE_SQLITE_DRIVER=${chosen.slice(0, 40)} is not a SQLite driver`,
        {
          hint: `set it to ${SQLITE_DRIVERS.join(" or ")}, or unset it to pick by Node.js version`,
        },
      );
    }
    return driver;
  }
  return hasNodeSqlite() ? "node:sqlite" : "better-sqlite3";
}

function hasNodeSqlite(): boolean {
  return loadNodeSqliteModule() !== undefined;
}
