import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postgresSinkSchema } from "../../../src/config/sink-schema.js";
import { freePort } from "../../../src/demo/free-port.js";
import { createPostgresSink } from "../../../src/sinks/postgres/postgres-sink.js";
import type { Sink, SinkRecord } from "../../../src/sinks/sink.js";
import { sinkContract } from "../sink-contract.js";

const USER = process.env.PGUSER || "postgres";
const DATABASE_URL = `postgres://${USER}@127.0.0.1:5432/test`;

let admin: pg.Client;
let table: string;
const open: Sink[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `these tests need PostgreSQL at 127.0.0.1:5432 with a database "test" that user "${USER}" may use ` +
        `(${(error as Error).message}); start it, or set PGUSER`,
    );
  }
});

afterAll(async () => {
  await admin?.end();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((sink) => sink.close()));
  await admin.query(`DROP TABLE IF EXISTS "${table}"`);
});

let counter = 0;
function sinkFor(options: { connectionString?: string } = {}): Sink {
  table = `claypipe_sink_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const sink = createPostgresSink(
    postgresSinkSchema.parse({
      name: "warehouse",
      type: "postgres",
      connectionString: options.connectionString ?? DATABASE_URL,
      table,
    }),
  );
  open.push(sink);
  return sink;
}

function record(n: number, overrides: Partial<SinkRecord> = {}): SinkRecord {
  return {
    leadId: `0190cccc-0000-7000-8000-${String(n).padStart(12, "0")}`,
    identityKey: `email:p${n}@acme.com`,
    row: { email: `p${n}@acme.com`, icp_score: n % 100, title: "VP Sales" },
    source: "api",
    route: "hot",
    enrichedAt: "2024-05-01T10:00:00.000Z",
    ...overrides,
  };
}

const signal = () => new AbortController().signal;

async function rows(): Promise<Array<Record<string, unknown>>> {
  const result = await admin.query(`SELECT * FROM "${table}" ORDER BY identity_key`);
  return result.rows;
}

// Each contract test on a schema of its own, named in the connection's search_path.
const contractSchemas: string[] = [];

async function contractSink(connectionString?: string) {
  const schema = `claypipe_sink_contract_${process.pid}_${contractSchemas.length}_${Math.random().toString(36).slice(2, 8)}`;
  contractSchemas.push(schema);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const searchPath = encodeURIComponent(`-c search_path=${schema}`);
  const sink = createPostgresSink(
    postgresSinkSchema.parse({
      name: "warehouse",
      type: "postgres",
      connectionString: connectionString ?? `${DATABASE_URL}?options=${searchPath}`,
      table: "enriched",
    }),
  );
  return { schema, sink };
}

sinkContract("postgres sink", {
  keyedOn: "identity",
  async open() {
    const { schema, sink } = await contractSink();
    const arrived = async () => {
      const made = await admin.query("SELECT to_regclass($1) AS name", [`"${schema}".enriched`]);
      if (made.rows[0].name === null) return [];
      const result = await admin.query(`SELECT email FROM "${schema}".enriched`);
      return result.rows.map((row: { email: string }) => row.email);
    };
    return { sink, arrived };
  },
  async failing(kind) {
    if (kind === "retryable") {
      // Nothing listens there: the server cannot be reached, which passes.
      return (await contractSink(`postgres://${USER}@127.0.0.1:${await freePort()}/test`)).sink;
    }
    // A table of another shape under the sink's name needs a person.
    const { schema, sink } = await contractSink();
    await admin.query(`CREATE TABLE "${schema}".enriched (identity_key text PRIMARY KEY)`);
    return sink;
  },
  async cleanUp() {
    for (const schema of contractSchemas.splice(0)) {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  },
});

describe("postgres sink", () => {
  it("creates its table when missing, keyed on the identity", async () => {
    const sink = sinkFor();
    expect(sink.maxBatch).toBe(500);
    expect(await sink.deliver([record(1)], signal())).toEqual([{ ok: true }]);
    const columns = await admin.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    expect(
      columns.rows.map((column) => [column.column_name, column.data_type, column.is_nullable]),
    ).toEqual([
      ["identity_key", "text", "NO"],
      ["claypipe_id", "text", "NO"],
      ["email", "text", "YES"],
      ["source", "text", "YES"],
      ["route", "text", "YES"],
      ["row", "jsonb", "NO"],
      ["enriched_at", "timestamp with time zone", "YES"],
      ["updated_at", "timestamp with time zone", "NO"],
    ]);
    const key = await admin.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a
         ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [`"${table}"`],
    );
    expect(key.rows).toEqual([{ attname: "identity_key" }]);
  });

  it("keeps one row per person however often it is delivered, and never rolls it back", async () => {
    const sink = sinkFor();
    const first = record(1, {
      row: { email: "p1@acme.com", title: "AE", callback_url: "https://x/v1/callbacks/clay/tok" },
    });
    await sink.deliver([first], signal());
    await sink.deliver([first], signal());
    expect(await rows()).toHaveLength(1);

    const newer = record(2, {
      identityKey: first.identityKey,
      row: { email: "p1@acme.com", title: "VP Sales" },
      route: "vip",
      enrichedAt: "2024-06-01T00:00:00.000Z",
    });
    expect(await sink.deliver([newer], signal())).toEqual([{ ok: true }]);
    // A replay of the older result must not overwrite the newer one.
    expect(await sink.deliver([first], signal())).toEqual([{ ok: true }]);

    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      identity_key: "email:p1@acme.com",
      claypipe_id: newer.leadId,
      email: "p1@acme.com",
      source: "api",
      route: "vip",
      row: { email: "p1@acme.com", title: "VP Sales" },
    });
    expect((stored[0]!.enriched_at as Date).toISOString()).toBe("2024-06-01T00:00:00.000Z");
  });

  it("upserts a batch of 500 in one call, a person twice in one batch included", async () => {
    const sink = sinkFor();
    const batch = Array.from({ length: 500 }, (_, n) => record(n));
    const results = await sink.deliver(batch, signal());
    expect(results).toHaveLength(500);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await rows()).toHaveLength(500);

    const again = [
      ...batch.slice(0, 499),
      record(999, { identityKey: batch[0]!.identityKey, enrichedAt: "2024-07-01T00:00:00.000Z" }),
    ];
    expect((await sink.deliver(again, signal())).every((result) => result.ok)).toBe(true);
    const stored = await rows();
    expect(stored).toHaveLength(500);
    expect(stored.find((row) => row.identity_key === batch[0]!.identityKey)?.claypipe_id).toBe(
      record(999).leadId,
    );
  });

  it("stores a row holding a NUL character and a person without an email", async () => {
    const sink = sinkFor();
    const byLinkedin = record(3, {
      identityKey: "linkedin:in/ada",
      row: { linkedin_url: "https://linkedin.com/in/ada", note: "a\u0000b" },
    });
    expect(await sink.deliver([byLinkedin], signal())).toEqual([{ ok: true }]);
    const [stored] = await rows();
    expect(stored).toMatchObject({ email: null, row: { note: "ab" } });
  });

  it("answers retryable when the server cannot be reached", async () => {
    const sink = sinkFor({ connectionString: `postgres://${USER}@127.0.0.1:1/test` });
    const [result] = await sink.deliver([record(1)], signal());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect((result as { reason: string }).reason).toMatch(
      /could not reach PostgreSQL \(ECONNREFUSED/,
    );
  });

  it("answers final, with what to fix, for a missing database or a table of another shape", async () => {
    const missing = sinkFor({
      connectionString: `postgres://${USER}@127.0.0.1:5432/claypipe_no_such_database`,
    });
    const [noDatabase] = await missing.deliver([record(1)], signal());
    expect(noDatabase).toMatchObject({ ok: false, retryable: false });
    expect((noDatabase as { reason: string }).reason).toMatch(/3D000.*create the database/);

    const other = sinkFor();
    await admin.query(`CREATE TABLE "${table}" (id integer)`);
    const [wrongShape] = await other.deliver([record(1)], signal());
    expect(wrongShape).toMatchObject({ ok: false, retryable: false });
    expect((wrongShape as { reason: string }).reason).toMatch(/already exists with other columns/);
  });

  it("closes its pool, and answers retryable after close", async () => {
    const sink = sinkFor();
    await sink.deliver([record(1)], signal());
    await sink.close();
    await sink.close();
    expect(await sink.deliver([record(2)], signal())).toMatchObject([
      { ok: false, retryable: true },
    ]);
    expect(await rows()).toHaveLength(1);
  });
});
