/**
 * What the dashboard benchmark's store holds, lead by lead, as a running
 * pipeline would have left it: created over the last 30 days, mostly
 * delivered, some dead (five reasons), deferred (credit cap or no capacity),
 * awaiting a callback (some past their deadline), queued, duplicates and
 * skipped, over several sources and tables. Each lead comes with the history
 * steps after its admission (the admission itself is on the lead row), its
 * sink deliveries (a few dead) and, once enriched, its result. Deterministic:
 * the same count gives the same store.
 */
import { newLeadId } from "../src/core/ids.js";
import type { LeadState } from "../src/core/lead-state.js";
import { SINKS, SOURCES, TABLES } from "./dashboard-config.js";

export const DAY_MS = 24 * 60 * 60 * 1000;
const SPAN_MS = 30 * DAY_MS;

export interface SeedEvent {
  at: number;
  from: LeadState;
  to: LeadState;
  reason: string | null;
}

export interface SeedDelivery {
  sink: string;
  state: "delivered" | "dead" | "pending";
  attempts: number;
  lastError: string | null;
  at: number;
}

export interface SeedLead {
  id: string;
  source: string;
  workspace: string;
  table: string;
  identityKey: string;
  fields: string;
  state: LeadState;
  reason: string | null;
  priority: number;
  attempt: number;
  availableAt: number;
  callbackDeadline: number | null;
  duplicateOf: string | null;
  result: string | null;
  routes: string;
  createdAt: number;
  updatedAt: number;
  admittedState: "queued" | "duplicate" | "skipped";
  events: SeedEvent[];
  deliveries: SeedDelivery[];
}

/** Shares of each final state, in thousandths; delivered takes the rest. */
const SHARES: Array<[LeadState, number]> = [
  ["dead", 30],
  ["deferred", 20],
  ["awaiting_callback", 15],
  ["queued", 25],
  ["duplicate", 30],
  ["skipped", 20],
  ["enriched", 2],
  ["retrying", 1],
];

const DEAD_REASONS = [
  "no_callback",
  "no_callback",
  "rejected_by_clay",
  "send_failed",
  "payload_too_large",
  "reconcile_failed",
];

const FIRST = ["Ada", "Grace", "Linus", "Barbara", "Margaret", "Alan", "Katherine", "Dennis"];
const LAST = ["Lovelace", "Hopper", "Torvalds", "Liskov", "Hamilton", "Turing", "Johnson"];
const TITLES = ["Head of Growth", "VP Sales", "CTO", "Founder", "RevOps Manager", "SDR"];

/** A small deterministic generator (an LCG): the same seed, the same store. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return {
    next,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
  };
}

function finalState(roll: number): LeadState {
  let upTo = 0;
  for (const [state, share] of SHARES) {
    upTo += share;
    if (roll < upTo) return state;
  }
  return "delivered";
}

/** The leads of a store of `count`, oldest first, in batches of `batch`. */
export function* seedLeads(count: number, now: number, batch = 10_000): Generator<SeedLead[]> {
  const random = generator(42);
  const start = now - SPAN_MS;
  const recentIds: string[] = [];
  let out: SeedLead[] = [];
  for (let n = 0; n < count; n++) {
    const createdAt = Math.floor(start + (SPAN_MS * n) / count);
    out.push(oneLead(n, createdAt, now, random, recentIds));
    if (out.length === batch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function oneLead(
  n: number,
  createdAt: number,
  now: number,
  random: ReturnType<typeof generator>,
  recentIds: string[],
): SeedLead {
  const age = now - createdAt;
  let state = finalState(Math.floor(random.next() * 1000));
  // What is still in flight is recent: a queued lead or one awaiting Clay is hours old, not weeks.
  if ((state === "queued" || state === "enriched" || state === "retrying") && age > DAY_MS) {
    state = "delivered";
  }
  if (state === "awaiting_callback" && age > 3 * DAY_MS) state = "delivered";
  const id = newLeadId(createdAt);
  const where = TABLES[n % 7 < 4 ? 0 : n % 7 < 6 ? 1 : 2]!;
  const source = random.pick(SOURCES);
  const first = FIRST[n % FIRST.length]!;
  const last = LAST[n % LAST.length]!;
  const domain = state === "skipped" ? "gmail.com" : `company${n % 20_011}.example`;
  const email = `${first}.${last}.${n}@${domain}`.toLowerCase();
  const fields = JSON.stringify({
    email,
    first_name: first,
    last_name: last,
    company: `Company ${n % 20_011}`,
    domain,
    title: random.pick(TITLES),
    linkedin_url: `https://www.linkedin.com/in/${first}-${last}-${n}`.toLowerCase(),
  });
  const lead: SeedLead = {
    id,
    source,
    workspace: where.workspace,
    table: where.table,
    identityKey: `email:${email}`,
    fields,
    state,
    reason: null,
    priority: source === "csv" ? 40 : source === "web-form" ? 10 : 20,
    attempt: 0,
    availableAt: createdAt,
    callbackDeadline: null,
    duplicateOf: null,
    result: null,
    routes: "[]",
    createdAt,
    updatedAt: createdAt,
    admittedState: state === "duplicate" ? "duplicate" : state === "skipped" ? "skipped" : "queued",
    events: [],
    deliveries: [],
  };
  if (state === "duplicate") {
    lead.duplicateOf = recentIds.length > 0 ? random.pick(recentIds) : null;
    lead.reason = "same person within the dedupe window";
    lead.result = resultOf(n, first, last);
    return lead;
  }
  if (state === "skipped") {
    lead.reason = "enrichIf no-free-mail";
    return lead;
  }
  recentIds[n % 1000] = id;
  addJourney(lead, n, now, random);
  return lead;
}

/** The history after admission, and what each final state leaves on the row. */
function addJourney(
  lead: SeedLead,
  n: number,
  now: number,
  random: ReturnType<typeof generator>,
): void {
  let at = lead.createdAt;
  const step = (to: LeadState, after: number, reason: string | null = null) => {
    const from = lead.events.at(-1)?.to ?? "queued";
    at += after;
    lead.events.push({ at, from, to, reason });
    lead.updatedAt = at;
  };
  const state = lead.state;
  if (state === "queued") return;
  if (state === "deferred") {
    const cap = random.next() < 0.7;
    lead.reason = cap
      ? `credit cap workspace:${lead.workspace} day ${new Date(now).toISOString().slice(0, 10)} reached`
      : `no capacity: table "${lead.table}" has no webhook with submissions left`;
    step("deferred", 40, lead.reason);
    lead.availableAt = cap ? now - (now % DAY_MS) + DAY_MS : now + 60 * 60 * 1000;
    return;
  }
  lead.attempt = 1;
  step("sending", 50 + Math.floor(random.next() * 500));
  if (state === "dead" && random.next() < 0.5) {
    const reason = random.pick(["rejected_by_clay", "send_failed", "payload_too_large"]);
    step("dead", 200, reason);
    lead.reason = reason;
    return;
  }
  step("awaiting_callback", 150);
  const deadline = at + 15 * 60 * 1000;
  if (state === "awaiting_callback") {
    // Three in ten are older than their deadline: the sweep has not caught up with them yet.
    lead.callbackDeadline = random.next() < 0.3 ? Math.min(deadline, now - 60_000) : now + 600_000;
    return;
  }
  if (state === "dead") {
    const reason = random.pick(DEAD_REASONS);
    step("dead", 15 * 60 * 1000, reason);
    lead.reason = reason;
    return;
  }
  if (state === "retrying") {
    step("retrying", 15 * 60 * 1000, "no callback before the deadline: sending once more");
    lead.availableAt = now + 60_000;
    return;
  }
  step("enriched", 2000 + Math.floor(random.next() * 60_000));
  lead.result = resultOf(n, "", "");
  lead.routes = JSON.stringify(SINKS);
  if (state === "enriched") {
    lead.deliveries = SINKS.map((sink) => delivery(sink, "pending", at, null));
    return;
  }
  step("delivered", 300);
  const deadSink = random.next() < 0.005 ? random.pick(SINKS) : undefined;
  lead.deliveries = SINKS.map((sink) =>
    sink === deadSink
      ? delivery(sink, "dead", at, "HTTP 422 from the CRM: property email is not unique")
      : delivery(sink, "delivered", at, null),
  );
}

function delivery(
  sink: string,
  state: SeedDelivery["state"],
  at: number,
  lastError: string | null,
): SeedDelivery {
  return { sink, state, attempts: state === "dead" ? 5 : 1, lastError, at };
}

function resultOf(n: number, first: string, last: string): string {
  return JSON.stringify({
    claypipe_id: n,
    full_name: `${first} ${last}`.trim() || null,
    job_title: TITLES[n % TITLES.length],
    company_size: 10 + (n % 5000),
    industry: ["Software", "Retail", "Finance", "Health"][n % 4],
    country: ["US", "DE", "FR", "GB"][n % 4],
    work_email_verified: n % 3 !== 0,
  });
}
