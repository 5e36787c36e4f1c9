/**
 * The library entry's `createSqliteStore`: the SQLite adapter (its driver,
 * migrations and every port) is loaded on the first call, not when claypipe is.
 */
import type { Store } from "../store.js";
import type { SqliteStoreOptions } from "./sqlite-store.js";

export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return (await import("./sqlite-store.js")).createSqliteStore(options);
}
