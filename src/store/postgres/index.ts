/** The PostgreSQL Store adapter: the shared store of the `queue` and `event` tiers. */
export { MIGRATIONS, type Migration } from "./migrations.js";
export { createPostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
