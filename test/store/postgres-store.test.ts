/**
 * The Store contract on PostgreSQL, against the real server: one schema for
 * this file, emptied before each test. Then what only PostgreSQL can show:
 * how its failures reach callers.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import type { Store } from "../../src/store/store.js";
import { newLead, T0 } from "./contract/fixtures.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  emptySchema,
  randomSchema,
} from "./fixtures/postgres-server.js";
import { runStoreContract } from "./store-contract.js";

const schema = randomSchema("store");
let admin: pg.Client;

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  if (!admin) return;
  await dropSchema(admin, schema);
  await admin.end();
});

async function openStore(): Promise<Store> {
  const store = await createPostgresStore({ connectionString: DATABASE_URL, schema });
  await emptySchema(admin, schema);
  return store;
}

runStoreContract("PostgreSQL", async () => {
  const store = await openStore();
  return { store, cleanup: () => store.close() };
});

describe("PostgreSQL: failures as callers see them", () => {
  it("refuses a lead id used twice as input_invalid, writing nothing", async () => {
    const store = await openStore();
    try {
      const lead = newLead();
      await store.leads.admit([lead], { dedupeSince: 0, now: T0 });
      const again = store.leads.admit([newLead(), { ...newLead(), id: lead.id }], {
        dedupeSince: 0,
        now: T0,
      });
      await expect(again).rejects.toBeInstanceOf(ClaypipeError);
      await expect(again).rejects.toMatchObject({ code: "input_invalid" });
      expect((await store.leads.countByState()).queued).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("reports a connection the server ended as state_unavailable, and goes on with a new one", async () => {
    const store = await openStore();
    const lock = await connectAdmin();
    try {
      await store.counters.tryReserve([{ key: "webhook:a", limit: 5 }]);
      // Hold the table so the store's next reservation waits on the server, then end its session.
      await lock.query("BEGIN");
      await lock.query(`LOCK TABLE "${schema}".capacity_counters IN ACCESS EXCLUSIVE MODE`);
      // The expectation is attached at once: the rejection may come before the next line runs.
      const refused = expect(
        store.counters.tryReserve([{ key: "webhook:a", limit: 5 }]),
      ).rejects.toMatchObject({
        code: "state_unavailable",
        hint: expect.stringContaining("127.0.0.1:5432/test"),
      });
      const holder = await lock.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const pid = await waitingBackend(holder.rows[0]?.pid ?? 0);
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await refused;
      await lock.query("ROLLBACK");
      expect(await store.counters.tryReserve([{ key: "webhook:a", limit: 5 }])).toEqual({
        ok: true,
      });
      expect(await store.counters.get("webhook:a")).toBe(2);
    } finally {
      await lock.end();
      await store.close();
    }
  });
});

describe("PostgreSQL: two stores on one schema", () => {
  it("claim disjoint inbox entries concurrently and miss none", async () => {
    const first = await openStore();
    const second = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      await first.inbox.append(
        Array.from({ length: 300 }, (_, index) => ({
          leadId: `lead-${index}`,
          attempt: 1,
          body: { index },
          receivedAt: T0,
        })),
      );
      // Each store claims small batches until none is left, as routers' inbox passes would.
      const drain = async (store: Store) => {
        const taken: number[] = [];
        for (;;) {
          const claimed = await store.inbox.claim(7, 60_000, T0);
          if (claimed.length === 0) return taken;
          taken.push(...claimed.map((entry) => entry.id));
          await store.inbox.markProcessed(claimed.map((entry) => entry.id));
        }
      };
      const taken = await Promise.all([drain(first), drain(second), drain(first), drain(second)]);
      const all = taken.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(300);
      expect(taken.every((ids) => ids.length > 0)).toBe(true);
      expect(await second.inbox.claim(10, 0, T0 + 120_000)).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

/** The backend blocked behind `lockHolder`, once it is. */
async function waitingBackend(lockHolder: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
      [lockHolder],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the store's reservation never waited on the lock");
}
