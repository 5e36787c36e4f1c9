/**
 * The PostgreSQL transition feed: every lead's history steps in commit order,
 * from where the feed was first read; a transaction still running holds back
 * what committed after it started (nothing is passed and lost); a failed
 * publish comes again; two publishers racing hand over each step once.
 */
import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import type { Store, Transition, TransitionFeed } from "../../src/store/store.js";
import { admit, newLead, T0 } from "./contract/fixtures.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "./fixtures/postgres-server.js";

let admin: pg.Client;
let schema: string;
let store: Store;
let feed: TransitionFeed;

beforeAll(async () => {
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.end();
});
beforeEach(async () => {
  schema = randomSchema("feed");
  store = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 4 });
  feed = store.transitionFeed!("lead-events");
});
afterEach(async () => {
  await store.close();
  await dropSchema(admin, schema);
});

/**
 * What the feed hands over until `expected` steps came (or, with none expected,
 * until it has nothing). A write transaction anywhere on the server holds the
 * feed back while it runs, and other tests write at the same time: so wait.
 */
async function drain(expected = 0, from: TransitionFeed = feed): Promise<Transition[]> {
  const all: Transition[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const handed = await from.publishNext(3, async (batch) => void all.push(...batch));
    if (handed > 0) continue;
    if (all.length >= expected || Date.now() > deadline) return all;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const steps = (transitions: Transition[]) =>
  transitions.map((step) => `${step.leadId.slice(-4)} ${step.from ?? "new"}>${step.to}`);

describe("PostgreSQL transition feed", () => {
  it("starts where it is first read, then hands over each step once, in commit order", async () => {
    const before = newLead();
    await admit(store, [before]);
    expect(await drain()).toEqual([]);

    const [a, b] = [newLead(), newLead()];
    await admit(store, [a, b]);
    expect(await store.leads.transition(a.id, "queued", "sending", {}, T0 + 1)).toBe(true);
    expect(await store.leads.transition(a.id, "sending", "awaiting_callback", {}, T0 + 2)).toBe(
      true,
    );
    const handed = await drain(6);
    expect(steps(handed)).toEqual(
      steps([
        { leadId: a.id, from: null, to: "received" },
        { leadId: a.id, from: "received", to: "queued" },
        { leadId: b.id, from: null, to: "received" },
        { leadId: b.id, from: "received", to: "queued" },
        { leadId: a.id, from: "queued", to: "sending" },
        { leadId: a.id, from: "sending", to: "awaiting_callback" },
      ] as Transition[]),
    );
    expect(handed[0]).toMatchObject({ identityKey: a.identityKey, at: T0 });
    expect(await drain()).toEqual([]);
  });

  it("never passes a transaction still running: what committed after it waits for it", async () => {
    await drain();
    const early = await connectAdmin();
    try {
      await early.query("BEGIN");
      // The transaction has its id now, before the admission below.
      await early.query("SELECT pg_current_xact_id()");
      const lead = newLead();
      await admit(store, [lead]);
      expect(await drain()).toEqual([]);
      await early.query("COMMIT");
      expect(steps(await drain(2))).toEqual([
        `${lead.id.slice(-4)} new>received`,
        `${lead.id.slice(-4)} received>queued`,
      ]);
    } finally {
      await early.end();
    }
  });

  it("hands over again what a failed publish did not", async () => {
    await drain();
    const lead = newLead();
    await admit(store, [lead]);
    let failed: unknown;
    for (let tries = 0; failed === undefined && tries < 500; tries++) {
      await feed
        .publishNext(10, async () => {
          throw new Error("broker down");
        })
        .catch((error: unknown) => {
          failed = error;
        });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(failed).toMatchObject({ message: "broker down" });
    expect(await drain(2)).toHaveLength(2);
  });

  it("two publishers racing hand over each step exactly once", async () => {
    const other = await createPostgresStore({
      connectionString: DATABASE_URL,
      schema,
      poolSize: 4,
    });
    try {
      const otherFeed = other.transitionFeed!("lead-events");
      await drain();
      const leads = Array.from({ length: 40 }, () => newLead());
      const handed: Transition[] = [];
      const publisher = async (from: TransitionFeed, stop: () => boolean) => {
        while (!stop()) {
          await from.publishNext(7, async (batch) => {
            // Slow enough that the other publisher tries while this one holds the feed.
            await new Promise((resolve) => setTimeout(resolve, 5));
            handed.push(...batch);
          });
        }
      };
      let admitted = false;
      const done = () => admitted && handed.length >= leads.length * 2;
      const deadline = Date.now() + 20_000;
      const stop = () => done() || Date.now() > deadline;
      const racing = Promise.all([publisher(feed, stop), publisher(otherFeed, stop)]);
      for (let i = 0; i < leads.length; i += 4) await admit(store, leads.slice(i, i + 4));
      admitted = true;
      await racing;
      const keys = handed.map((step) => `${step.leadId} ${step.to}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(leads.length * 2);
    } finally {
      await other.close();
    }
  });
});
