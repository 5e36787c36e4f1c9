/** The SQLite Store adapter: the embedded default of the `standard` tier. */
export { MIGRATIONS, type Migration } from "./migrations.js";
export { createSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
