/**
 * Fills a SQLite store with the seed plan. The store is created through
 * createSqliteStore, so its tables, indexes and migrations are the real ones;
 * the rows then go in through better-sqlite3 directly, 10,000 leads (with
 * their history, deliveries, saved credits and counters) per transaction, with
 * synchronous = OFF: a seed, not a durability test.
 */
import Database from "better-sqlite3";
import { tableCounterKey, webhookCounterKey } from "../src/clay/webhook-pool.js";
import { createSqliteStore } from "../src/store/sqlite/index.js";
import { TABLES } from "./dashboard-config.js";
import { type SeedLead, seedLeads } from "./dashboard-seed-plan.js";
import { type SeedTotals, tallyBatch } from "./dashboard-seed-totals.js";

export async function seedSqlite(path: string, count: number, now: number): Promise<SeedTotals> {
  await (await createSqliteStore({ path, driver: "better-sqlite3" })).close();
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -200000");
    const insertLead = db.prepare(`INSERT INTO leads (id, source, workspace, table_name,
      identity_key, fields, state, reason, priority, attempt, available_at, callback_deadline,
      duplicate_of, result, routes, created_at, updated_at, admitted_state, admitted_reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertEvent = db.prepare(
      "INSERT INTO lead_events (lead_id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)",
    );
    const insertDelivery = db.prepare(`INSERT INTO sink_deliveries (lead_id, sink, route, state,
      attempts, last_error, available_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertSaved = db.prepare(
      "INSERT INTO credits_saved (lead_id, actions_milli, data_milli, at) VALUES (?, ?, ?, ?)",
    );
    const writeBatch = db.transaction((leads: SeedLead[]) => {
      for (const lead of leads) {
        insertLead.run(
          lead.id,
          lead.source,
          lead.workspace,
          lead.table,
          lead.identityKey,
          lead.fields,
          lead.state,
          lead.reason,
          lead.priority,
          lead.attempt,
          lead.availableAt,
          lead.callbackDeadline,
          lead.duplicateOf,
          lead.result,
          lead.routes,
          lead.createdAt,
          lead.updatedAt,
          lead.admittedState,
          lead.admittedState === "queued" ? null : lead.reason,
        );
        for (const event of lead.events) {
          insertEvent.run(lead.id, event.at, event.from, event.to, event.reason);
        }
        for (const d of lead.deliveries) {
          insertDelivery.run(
            lead.id,
            d.sink,
            "default",
            d.state,
            d.attempts,
            d.lastError,
            d.at,
            d.at,
            d.at,
          );
        }
        if (lead.state === "duplicate") insertSaved.run(lead.id, 1000, 4000, lead.createdAt);
      }
    });
    const totals = new Map<string, number>();
    let delivered = 0;
    for (const batch of seedLeads(count, now)) {
      writeBatch(batch);
      delivered += tallyBatch(batch, totals);
    }
    const setCounter = db.prepare(
      "INSERT OR REPLACE INTO capacity_counters (key, count) VALUES (?, ?)",
    );
    const counters = countersOf(totals);
    for (const [key, value] of counters) setCounter.run(key, value);
    db.prepare("UPDATE activity_totals SET count = ? WHERE name = 'delivered'").run(delivered);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.exec("ANALYZE");
    return { delivered, sent: totals };
  } finally {
    db.close();
  }
}

/** Each table's rows and webhook's submissions, as the senders would have counted them. */
export function countersOf(sent: Map<string, number>): Array<[string, number]> {
  return TABLES.flatMap(({ workspace, table, webhook }) => {
    // A table holds 50,000 rows: a month of leads fills several, so this one holds the latest.
    const rows = (sent.get(`${workspace}/${table}`) ?? 0) % 45_000;
    return [
      [tableCounterKey(workspace, table), rows],
      [webhookCounterKey(webhook), rows],
    ] as Array<[string, number]>;
  });
}
