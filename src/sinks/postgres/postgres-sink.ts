/**
 * The postgres sink: upserts enriched leads into a table, one row per person
 * (keyed on the identity), however many times a lead is delivered. The table
 * is created when missing; each deliver() is one statement for up to 500
 * records. `pg` is imported on first use, so the embedded tier never loads it.
 * A small pool (2 connections) with connect and query timeouts keeps every
 * deliver() bounded.
 */
import type { Pool } from "pg";
import type { z } from "zod";
import type { postgresSinkSchema } from "../../config/sink-schema.js";
import { ClaypipeError } from "../../core/errors.js";
import { silentLogger } from "../../logging/create-logger.js";
import { loadPg } from "../../postgres/load-pg.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import { classifyPostgresError } from "./postgres-errors.js";
import { createTableSql, upsertParams, upsertSql } from "./postgres-upsert.js";

export type PostgresSinkConfig = z.output<typeof postgresSinkSchema>;

const POOL_SIZE = 2;
const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 30_000;

/** Nothing is loaded or connected until the first deliver(). */
export function createPostgresSink(config: PostgresSinkConfig, deps: SinkDeps = {}): Sink {
  const logger = deps.logger ?? silentLogger();
  const lifecycle = new SinkLifecycle();
  let pool: Promise<Pool> | undefined;
  let tableReady: Promise<void> | undefined;

  async function createPool(): Promise<Pool> {
    const pg = await loadPg("the postgres sink");
    const created = new pg.Pool({
      connectionString: config.connectionString,
      max: POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // An idle connection that breaks emits "error"; unheard, it would end the process.
    created.on("error", (error) => {
      logger.warn({ sink: config.name, err: error }, "postgres sink: an idle connection failed");
    });
    return created;
  }

  async function ensureTable(client: Pool): Promise<void> {
    try {
      await client.query(createTableSql(config.table));
      logger.debug({ sink: config.name, table: config.table }, "postgres sink: table ready");
    } catch (thrown) {
      // Two sinks creating the same table at once: the loser's error means it exists now.
      const code = (thrown as { code?: unknown }).code;
      if (code !== "23505" && code !== "42P07") throw thrown;
    }
  }

  async function upsert(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
    try {
      pool ??= createPool();
      const client = await pool;
      signal.throwIfAborted();
      tableReady ??= ensureTable(client).catch((thrown: unknown) => {
        tableReady = undefined;
        throw thrown;
      });
      await tableReady;
      signal.throwIfAborted();
      await client.query(upsertSql(config.table), upsertParams(records));
      return records.map(() => ({ ok: true }));
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      if (thrown instanceof ClaypipeError) pool = undefined;
      const result = classifyPostgresError(thrown, config.table);
      logger.warn({ sink: config.name, reason: result.reason }, "postgres sink: upsert failed");
      return records.map(() => result);
    }
  }

  return {
    name: config.name,
    maxBatch: 500,
    deliver(records, signal) {
      return lifecycle.run(records, signal, (combined) => upsert(records, combined));
    },
    async close() {
      await lifecycle.close();
      const open = pool;
      pool = undefined;
      const created = await open?.catch(() => undefined);
      await created?.end();
    },
  };
}
