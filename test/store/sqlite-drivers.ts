/**
 * The SQLite drivers the tests run against on this Node.js: every one it can
 * use, or only the one CLAYPIPE_SQLITE_DRIVER names.
 */
import {
  availableSqliteDrivers,
  defaultSqliteDriver,
  type SqliteDriverName,
} from "../../src/store/sqlite/sqlite-driver.js";

export function sqliteDriversToTest(): SqliteDriverName[] {
  if (process.env.CLAYPIPE_SQLITE_DRIVER) return [defaultSqliteDriver()];
  return availableSqliteDrivers();
}
