/** The SQLite Store adapter: the embedded default of the `standard` tier. */
export type { Migration } from "../migration.js";
export { MIGRATIONS } from "./migrations.js";
export { availableSqliteDrivers, SQLITE_DRIVERS, type SqliteDriverName } from "./sqlite-driver.js";
export { createSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
