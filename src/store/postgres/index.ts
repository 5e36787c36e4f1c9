/** The PostgreSQL Store adapter: the shared store of the `queue` and `event` tiers. */
export type { Migration } from "../migration.js";
export { MIGRATIONS } from "./migrations.js";
export { createPostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
