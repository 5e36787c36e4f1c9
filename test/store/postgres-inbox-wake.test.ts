/**
 * The inbox's wake across processes on PostgreSQL: a callback appended
 * through one store (the API process) wakes a listener of another store on
 * the same schema (a worker) at its commit, through LISTEN/NOTIFY; a listener
 * of another schema hears nothing; and a listener whose connection is cut
 * hears again once it has reconnected.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import { notifyChannel } from "../../src/store/postgres/postgres-notifications.js";
import type { Store } from "../../src/store/store.js";
import { newLead, T0 } from "./contract/fixtures.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "./fixtures/postgres-server.js";

const schema = randomSchema("wake");
const otherSchema = randomSchema("wake_other");
let admin: pg.Client;
const stores: Store[] = [];

async function open(name = schema): Promise<Store> {
  const store = await createPostgresStore({
    connectionString: DATABASE_URL,
    schema: name,
    poolSize: 2,
  });
  stores.push(store);
  return store;
}

/** Resolves with how many times `listener` was called once `count` calls came, or after `ms`. */
function heard(subscribe: (listener: () => void) => () => void) {
  let calls = 0;
  const waiters: Array<() => void> = [];
  const stop = subscribe(() => {
    calls += 1;
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    stop,
    calls: () => calls,
    async atLeast(count: number, ms = 5000): Promise<number> {
      const until = Date.now() + ms;
      while (calls < count && Date.now() < until) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return calls;
    },
  };
}

async function awaitedLead(store: Store): Promise<string> {
  const lead = newLead();
  await store.leads.admit([lead], { dedupeSince: 0, now: T0 });
  return lead.id;
}

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  if (!admin) return;
  await dropSchema(admin, schema);
  await dropSchema(admin, otherSchema);
  await admin.end();
});

describe("PostgreSQL inbox wake", () => {
  it("wakes another store's listener on the same schema when callbacks are appended, and no one on another schema", async () => {
    const api = await open();
    const worker = await open();
    const stranger = await open(otherSchema);
    const workerHeard = heard((listener) => worker.inbox.onAppended!(listener));
    const strangerHeard = heard((listener) => stranger.inbox.onAppended!(listener));
    // The first call comes when the listening connection is up: it looks once for what it missed.
    await workerHeard.atLeast(1);
    await strangerHeard.atLeast(1);
    const before = { worker: workerHeard.calls(), stranger: strangerHeard.calls() };

    const leadId = await awaitedLead(api);
    await api.inbox.appendAwaited([{ leadId, attempt: 1, body: { ok: 1 }, receivedAt: T0 }]);
    expect(await workerHeard.atLeast(before.worker + 1)).toBeGreaterThan(before.worker);
    await api.inbox.append([{ leadId, attempt: 2, body: { ok: 2 }, receivedAt: T0 }]);
    expect(await workerHeard.atLeast(before.worker + 2)).toBeGreaterThanOrEqual(before.worker + 2);
    // Nothing written (an unknown lead): nothing to wake for.
    const quiet = workerHeard.calls();
    await api.inbox.appendAwaited([{ leadId: "nobody", attempt: 1, body: {}, receivedAt: T0 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(workerHeard.calls()).toBe(quiet);
    expect(strangerHeard.calls()).toBe(before.stranger);
    workerHeard.stop();
    strangerHeard.stop();
  });

  it("listens again after its connection is cut", async () => {
    const api = await open();
    const worker = await open();
    const workerHeard = heard((listener) => worker.inbox.onAppended!(listener));
    await workerHeard.atLeast(1);
    // This schema's listening connection only: other test files listen too.
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
       WHERE pid <> pg_backend_pid() AND query = $1`,
      [`LISTEN "${notifyChannel(`"${schema}"`, "inbox")}"`],
    );
    expect(rows).toHaveLength(1);
    const cut = workerHeard.calls();
    // Reconnected: the listener is called once on the way back up.
    expect(await workerHeard.atLeast(cut + 1)).toBeGreaterThan(cut);
    const leadId = await awaitedLead(api);
    const up = workerHeard.calls();
    await api.inbox.appendAwaited([{ leadId, attempt: 1, body: {}, receivedAt: T0 }]);
    expect(await workerHeard.atLeast(up + 1)).toBeGreaterThan(up);
    workerHeard.stop();
  });
});
