/**
 * The SQLite driver on Node's built-in `node:sqlite` (DatabaseSync). It binds
 * `@name` parameters from object keys without the prefix, as better-sqlite3
 * does, and reports a failure as ERR_SQLITE_ERROR with SQLite's extended
 * result code in `errcode`.
 */
import type {
  RunResult,
  SqliteDatabase,
  SqliteErrorKind,
  SqliteStatement,
} from "./sqlite-database.js";

// The part of node:sqlite claypipe uses (@types/node 20 does not describe the module).
interface NodeStatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => NodeDatabaseSync;
}

// SQLite's primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;

export function openNodeSqlite(path: string, readonly: boolean): SqliteDatabase {
  const sqlite = loadNodeSqliteModule() as NodeSqliteModule | undefined;
  if (!sqlite) throw new Error("this Node.js has no node:sqlite module");
  const db = new sqlite.DatabaseSync(path, readonly ? { readOnly: true } : {});
  let open = true;
  return {
    driver: "node:sqlite",
    get open() {
      return open;
    },
    prepare<P extends unknown[] | object, R>(sql: string): SqliteStatement<P, R> {
      const statement = db.prepare(sql);
      return {
        run: (...params) => toRunResult(statement.run(...params)),
        get: (...params) => statement.get(...params) as R | undefined,
        all: (...params) => statement.all(...params) as R[],
      };
    },
    exec: (sql) => db.exec(sql),
    close() {
      if (!open) return;
      open = false;
      db.close();
    },
    errorKind,
  };
}

function toRunResult(result: {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}): RunResult {
  return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
}

function errorKind(thrown: unknown): SqliteErrorKind | undefined {
  const error = thrown as { code?: unknown; errcode?: unknown } | undefined;
  if (error?.code !== "ERR_SQLITE_ERROR" || typeof error.errcode !== "number") return undefined;
  const primary = error.errcode & 0xff;
  if (primary === SQLITE_CONSTRAINT) return "constraint";
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) return "busy";
  return "other";
}

/**
 * Node's built-in SQLite module, or undefined where this Node.js has none
 * (Node 20; Node 22 before 22.13 without --experimental-sqlite). Node 22 warns
 * that the module is experimental when it loads: that one warning is dropped,
 * every other warning passes.
 */
export function loadNodeSqliteModule(): object | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isNodeSqliteExperimentalWarning(warning, rest[0])) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule("node:sqlite");
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

function isNodeSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === "string"
      ? typeOrOptions
      : (typeOrOptions as { type?: unknown } | undefined)?.type;
  const message = typeof warning === "string" ? warning : warning.message;
  return type === "ExperimentalWarning" && message.startsWith("SQLite is an experimental feature");
}
