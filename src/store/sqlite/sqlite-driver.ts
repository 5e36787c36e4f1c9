/**
 * Picks and opens a SQLite driver (the port is sqlite-database.ts). Two adapters
 * provide it: Node's built-in `node:sqlite` (Node 22.13+ and 24) and the
 * better-sqlite3 package (Node 20, which has no built-in SQLite; better-sqlite3
 * 12 aborts on Node 24). A driver's module loads only when it is chosen, so
 * Node 24 never loads better-sqlite3's native module.
 */
import { ClaypipeError } from "../../core/errors.js";
import { betterSqlite3Loads, openBetterSqlite3 } from "./better-sqlite3-driver.js";
import { loadNodeSqliteModule, openNodeSqlite } from "./node-sqlite-driver.js";
import { SQLITE_DRIVERS, type SqliteDatabase, type SqliteDriverName } from "./sqlite-database.js";

export {
  type RunResult,
  SQLITE_DRIVERS,
  type SqliteDatabase,
  type SqliteDriverName,
  type SqliteErrorKind,
  type SqliteStatement,
} from "./sqlite-database.js";

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
