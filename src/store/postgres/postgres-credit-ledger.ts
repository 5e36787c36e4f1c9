/**
 * The CreditLedger port on PostgreSQL. Each send of a lead has a reservation
 * row naming the caps (scope, window) it counts against; `credit_totals` keeps
 * the running sum per cap. A change first takes an advisory lock on the lead
 * (one open reservation per lead, whoever sends it), then locks the totals it
 * touches in (scope, window) order, so concurrent workers queue on a cap
 * instead of both passing it, and never deadlock. Those steps run inside the
 * server (the credit_* functions of migration 13): a reservation, settlement
 * or release is one statement, its own transaction, the locks held only while
 * it runs. Amounts are stored in thousandths of a credit so sums never drift.
 */
import type { CreditCap, CreditLedger, Credits, ReserveCreditsResult } from "../credit-ledger.js";
import { advisoryKey } from "./advisory-keys.js";
import type { PostgresDatabase } from "./postgres-database.js";

interface MilliCredits {
  actions_milli: number;
  data_milli: number;
}

const NONE: MilliCredits = { actions_milli: 0, data_milli: 0 };

export class PostgresCreditLedger implements CreditLedger {
  private readonly totals: string;
  private readonly saves: string;

  constructor(private readonly db: PostgresDatabase) {
    this.totals = db.table("credit_totals");
    this.saves = db.table("credits_saved");
  }

  async reserve(
    leadId: string,
    estimate: Credits,
    caps: CreditCap[],
    now: number,
  ): Promise<ReserveCreditsResult> {
    const amount = toMilli(estimate);
    const limit = (cap: CreditCap, meter: keyof Credits) => {
      const value = cap.limit[meter];
      return value === undefined ? null : milli(value);
    };
    const { rows } = await this.db.prepared<{
      refused: number;
      used_actions: number | null;
      used_data: number | null;
    }>(
      `SELECT refused, used_actions, used_data FROM ${this.db.schema}.credit_reserve(
         $1, $2::bigint, $3, $4, $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9)`,
      [
        leadId,
        this.lockKey(leadId),
        amount.actions_milli,
        amount.data_milli,
        caps.map((cap) => cap.scope),
        caps.map((cap) => cap.window),
        caps.map((cap) => limit(cap, "actions")),
        caps.map((cap) => limit(cap, "data")),
        now,
      ],
    );
    const { refused, used_actions, used_data } = rows[0]!;
    if (refused === 0) return { ok: true };
    return {
      ok: false,
      cap: caps[refused - 1]!,
      used: fromMilli({ actions_milli: used_actions ?? 0, data_milli: used_data ?? 0 }),
    };
  }

  async settle(leadId: string, actual: Credits, now: number): Promise<void> {
    const amount = toMilli(actual);
    await this.db.prepared(`SELECT ${this.db.schema}.credit_settle($1, $2::bigint, $3, $4, $5)`, [
      leadId,
      this.lockKey(leadId),
      amount.actions_milli,
      amount.data_milli,
      now,
    ]);
  }

  async release(leadId: string, now: number): Promise<void> {
    await this.db.prepared(`SELECT ${this.db.schema}.credit_release($1, $2::bigint, $3)`, [
      leadId,
      this.lockKey(leadId),
      now,
    ]);
  }

  async used(scope: string, window: string): Promise<Credits> {
    const { rows } = await this.db.query<MilliCredits>(
      `SELECT actions_milli, data_milli FROM ${this.totals} WHERE scope = $1 AND window_key = $2`,
      [scope, window],
    );
    return fromMilli(rows[0] ?? NONE);
  }

  async recordSaved(leadId: string, saved: Credits, now: number): Promise<void> {
    const amount = toMilli(saved);
    await this.db.query(
      `INSERT INTO ${this.saves} (lead_id, actions_milli, data_milli, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (lead_id) DO NOTHING`,
      [leadId, amount.actions_milli, amount.data_milli, now],
    );
  }

  async saved(): Promise<Credits> {
    const { rows } = await this.db.query<MilliCredits>(
      `SELECT COALESCE(SUM(actions_milli), 0)::bigint AS actions_milli,
              COALESCE(SUM(data_milli), 0)::bigint AS data_milli FROM ${this.saves}`,
    );
    return fromMilli(rows[0] ?? NONE);
  }

  /** The lead's advisory lock: one change to its reservations at a time, in any process. */
  private lockKey(leadId: string): string {
    return advisoryKey("claypipe credits", this.db.schema, leadId);
  }
}

function milli(credits: number): number {
  return Math.round(credits * 1000);
}

function toMilli(credits: Credits): MilliCredits {
  return { actions_milli: milli(credits.actions), data_milli: milli(credits.data) };
}

function fromMilli(amount: MilliCredits): Credits {
  return { actions: amount.actions_milli / 1000, data: amount.data_milli / 1000 };
}
