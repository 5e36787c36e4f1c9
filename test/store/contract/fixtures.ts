/**
 * What the Store contract suites share: a fresh store per test, and small
 * builders for leads and for moving a lead into a given state the way the
 * lifecycle would.
 */
import { afterEach, beforeEach } from "vitest";
import { newLeadId } from "../../../src/core/ids.js";
import type { LeadState } from "../../../src/core/lead-state.js";
import type { NewLead, Store } from "../../../src/store/store.js";

export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

/** A fixed start time, so tests read as offsets from it. */
export const T0 = 1_700_000_000_000;

/** Opens a fresh store before each test and cleans it up after; call the result inside a test. */
export function useStore(open: OpenStore): () => Store {
  let current: { store: Store; cleanup(): Promise<void> } | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("the store is only open inside a test");
    return current.store;
  };
}

let sequence = 0;

export function newLead(overrides: Partial<NewLead> = {}): NewLead {
  sequence += 1;
  const email = `person${sequence}@example.com`;
  return {
    id: newLeadId(),
    source: "api",
    workspace: "main",
    table: "people",
    identityKey: `email:${email}`,
    fields: { email, company: "Acme", employees: 12, verified: true, note: null },
    priority: 0,
    ...overrides,
  };
}

/** Admits leads at `now`; leads created since `dedupeSince` (default: all) count for dedupe. */
export async function admit(store: Store, leads: NewLead[], now = T0, dedupeSince = 0) {
  return store.leads.admit(leads, { dedupeSince, now });
}

/** Admits one lead and returns its id, queued (or a duplicate when one exists). */
export async function admitOne(store: Store, overrides: Partial<NewLead> = {}, now = T0) {
  const lead = newLead(overrides);
  await admit(store, [lead], now);
  return lead.id;
}

/** Re-queues a queued lead to become available at `availableAt` (through deferred, as a budget wait would). */
export async function requeueAt(store: Store, id: string, availableAt: number, now = T0) {
  await mustMove(store, id, "queued", "deferred", { availableAt }, now);
  await mustMove(store, id, "deferred", "queued", { availableAt }, now);
}

/** Moves a queued lead through sending to awaiting_callback (attempt 1) with `deadline`. */
export async function sendAndAwait(store: Store, id: string, deadline: number, now = T0) {
  await mustMove(store, id, "queued", "sending", {}, now);
  await mustMove(
    store,
    id,
    "sending",
    "awaiting_callback",
    { callbackDeadline: deadline, attempt: 1 },
    now,
  );
}

export async function mustMove(
  store: Store,
  id: string,
  from: LeadState,
  to: LeadState,
  patch: Parameters<Store["leads"]["transition"]>[3] = {},
  now = T0,
): Promise<void> {
  const moved = await store.leads.transition(id, from, to, patch, now);
  if (!moved) throw new Error(`lead ${id} was not in ${from}`);
}

/** A queued lead moved to dead with `reason`. */
export async function killLead(store: Store, id: string, reason = "send_failed", now = T0) {
  await mustMove(store, id, "queued", "dead", { reason }, now);
}
