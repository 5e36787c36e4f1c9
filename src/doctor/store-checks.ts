/**
 * The store each tier keeps its state in, reached and asked its version:
 * SQLite (standard tier) opened read-only, so a file a running service owns
 * is read and never claimed; PostgreSQL (queue and event tiers) with
 * `SELECT version()` and whether claypipe's schema is there yet.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ClaypipeConfig } from "../config/schema.js";
import { openSqlite } from "../store/sqlite/sqlite-driver.js";
import { shownAddress } from "./addresses.js";
import { type DoctorCheck, error, ok } from "./doctor-report.js";
import { postgresHint, postgresVersion, withPostgres } from "./postgres-probe.js";
import type { Probe } from "./probe.js";
import { unsetSecret } from "./unset-secret.js";
import { writablePath } from "./writable-path.js";

const PG_KEY = "store.postgres.connectionString";

export function storeProbes(config: ClaypipeConfig, timeoutMs: number): Probe[] {
  if (config.tier === "standard") return [sqliteProbe(config.store.sqlite.path)];
  const postgres = config.store.postgres;
  if ((config.tier === "queue" || config.tier === "event") && postgres) {
    return [postgresProbe(postgres.connectionString, postgres.schema, timeoutMs)];
  }
  return [];
}

function sqliteProbe(path: string): Probe {
  const file = resolve(path);
  return {
    group: "store",
    name: "store.sqlite",
    address: file,
    hint: "check that store.sqlite.path points at a SQLite file this user can write",
    async run(): Promise<DoctorCheck[]> {
      const place = await writablePath(file);
      if (place.state === "not-writable") {
        return [
          error(
            "store",
            "store.sqlite",
            `${place.blocker} ${place.reason}`,
            "point store.sqlite.path at a file in a folder this user can write",
          ),
        ];
      }
      if (!place.exists) {
        return [ok("store", "store.sqlite", `no store yet: created at ${file} by the first start`)];
      }
      // Read-only: a running service owns the file, and reading its version claims nothing.
      const db = openSqlite(file, { readonly: true });
      try {
        const row = db.prepare<[], { version: string }>("SELECT sqlite_version() AS version").get();
        return [
          ok("store", "store.sqlite", `SQLite ${row?.version ?? "(version unknown)"} at ${file}`),
        ];
      } finally {
        db.close();
      }
    },
  };
}

function postgresProbe(connectionString: string, schema: string, timeoutMs: number): Probe {
  const address = shownAddress(connectionString);
  return {
    group: "store",
    name: "store.postgres",
    address,
    hint: `start PostgreSQL, or fix the host and port in ${PG_KEY}`,
    async run(): Promise<DoctorCheck[]> {
      const unset = unsetSecret("store", "store.postgres", connectionString, PG_KEY);
      if (unset) return [unset];
      try {
        return await withPostgres(connectionString, timeoutMs, async (client) => {
          const version = await postgresVersion(client);
          const { rows } = await client.query<{ found: string | null }>(
            "SELECT to_regnamespace($1)::text AS found",
            [schema],
          );
          const tables = rows[0]?.found
            ? `schema ${schema} in place`
            : `schema ${schema} created by the first start`;
          return [ok("store", "store.postgres", `${version} at ${address}; ${tables}`)];
        });
      } catch (thrown) {
        return [
          error(
            "store",
            "store.postgres",
            `cannot use PostgreSQL at ${address}: ${(thrown as Error).message}`,
            postgresHint(thrown, PG_KEY),
          ),
        ];
      }
    },
  };
}

/**
 * Whether the store holds claypipe's state yet: before the first start there
 * are no counters to read, and reading them through the pipeline would create
 * the store, which is the first start's job.
 */
export async function storeHoldsState(config: ClaypipeConfig, timeoutMs: number): Promise<boolean> {
  if (config.tier === "standard") return existsSync(resolve(config.store.sqlite.path));
  const postgres = config.store.postgres;
  if (!postgres) return false;
  return withPostgres(postgres.connectionString, timeoutMs, async (client) => {
    const { rows } = await client.query<{ found: string | null }>(
      "SELECT to_regnamespace($1)::text AS found",
      [postgres.schema],
    );
    return Boolean(rows[0]?.found);
  });
}
