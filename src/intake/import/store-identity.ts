/**
 * Which store an import goes into, as its checkpoint names it: the SQLite
 * file's real path, or PostgreSQL's host, port, database and schema (never a
 * user or password). The same file imported into another store is another
 * import.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { ClaypipeConfig } from "../../config/schema.js";

export function storeIdentity(config: ClaypipeConfig): string {
  const postgres = config.store.postgres;
  if (config.tier === "queue" && postgres) {
    return `postgres:${server(postgres.connectionString)}/${postgres.schema}`;
  }
  const path = resolve(config.store.sqlite.path);
  try {
    return `sqlite:${realpathSync(path)}`;
  } catch {
    // Not created yet: the path as written is the best name there is.
    return `sqlite:${path}`;
  }
}

/** host:port/database of a URL; a key=value connection string only by its digest, which may hold a password. */
function server(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return createHash("sha256").update(connectionString).digest("hex").slice(0, 24);
  }
}
