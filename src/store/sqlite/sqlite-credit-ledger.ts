/**
 * The CreditLedger port on SQLite. Each send of a lead has a reservation row
 * naming the caps (scope, window) it counts against; `credit_totals` keeps the
 * running sum per cap, so a check is one lookup per cap. Reserve, settle and
 * release change the reservation and every total it touched in one transaction.
 * Amounts are stored in thousandths of a credit so sums never drift.
 */
import type { CreditCap, CreditLedger, Credits, ReserveCreditsResult } from "../credit-ledger.js";
import { type SqliteDatabase, writeTransaction } from "./open-database.js";

interface ReservationRow {
  id: number;
  status: "reserved" | "settled" | "released";
  actions_milli: number;
  data_milli: number;
}

interface MilliCredits {
  actions_milli: number;
  data_milli: number;
}

const KINDS = ["actions", "data"] as const;

/** Thrown inside the transaction to roll a refused reservation back. */
class CapReached {
  constructor(readonly result: ReserveCreditsResult) {}
}

export class SqliteCreditLedger implements CreditLedger {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      latest: db.prepare<[string], ReservationRow>(
        `SELECT id, status, actions_milli, data_milli FROM credit_reservations
         WHERE lead_id = ? ORDER BY id DESC LIMIT 1`,
      ),
      insert: db.prepare<[string, number, number, number, number]>(
        `INSERT INTO credit_reservations (lead_id, status, actions_milli, data_milli, created_at, updated_at)
         VALUES (?, 'reserved', ?, ?, ?, ?)`,
      ),
      setStatus: db.prepare<[string, number, number, number, number]>(
        `UPDATE credit_reservations SET status = ?, actions_milli = ?, data_milli = ?, updated_at = ?
         WHERE id = ?`,
      ),
      insertCap: db.prepare<[number, string, string]>(
        "INSERT OR IGNORE INTO credit_reservation_caps (reservation_id, scope, window_key) VALUES (?, ?, ?)",
      ),
      capsOf: db.prepare<[number], { scope: string; window_key: string }>(
        "SELECT scope, window_key FROM credit_reservation_caps WHERE reservation_id = ?",
      ),
      total: db.prepare<[string, string], MilliCredits>(
        "SELECT actions_milli, data_milli FROM credit_totals WHERE scope = ? AND window_key = ?",
      ),
      addToTotal: db.prepare<[string, string, number, number]>(
        `INSERT INTO credit_totals (scope, window_key, actions_milli, data_milli) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, window_key) DO UPDATE SET
           actions_milli = actions_milli + excluded.actions_milli,
           data_milli = data_milli + excluded.data_milli`,
      ),
      recordSaved: db.prepare<[string, number, number, number]>(
        "INSERT OR IGNORE INTO credits_saved (lead_id, actions_milli, data_milli, at) VALUES (?, ?, ?, ?)",
      ),
      saved: db.prepare<[], MilliCredits>(
        `SELECT COALESCE(SUM(actions_milli), 0) AS actions_milli,
                COALESCE(SUM(data_milli), 0) AS data_milli FROM credits_saved`,
      ),
    };
  }

  async reserve(
    leadId: string,
    estimate: Credits,
    caps: CreditCap[],
    now: number,
  ): Promise<ReserveCreditsResult> {
    const s = this.statements;
    const amount = toMilli(estimate);
    try {
      return writeTransaction(this.db, () => {
        // A lead has one open reservation: sending it again replaces the previous estimate.
        const latest = s.latest.get(leadId);
        if (latest?.status === "reserved") {
          this.addToCaps(latest.id, negate(latest));
          s.setStatus.run("released", latest.actions_milli, latest.data_milli, now, latest.id);
        }
        for (const cap of caps) {
          const used = s.total.get(cap.scope, cap.window) ?? { actions_milli: 0, data_milli: 0 };
          const over = KINDS.some((kind) => {
            const limit = cap.limit[kind];
            return (
              limit !== undefined && used[`${kind}_milli`] + amount[`${kind}_milli`] > milli(limit)
            );
          });
          if (over) throw new CapReached({ ok: false, cap, used: fromMilli(used) });
        }
        const id = Number(
          s.insert.run(leadId, amount.actions_milli, amount.data_milli, now, now).lastInsertRowid,
        );
        for (const cap of caps) {
          // A cap named twice counts the lead once.
          if (s.insertCap.run(id, cap.scope, cap.window).changes === 1) {
            s.addToTotal.run(cap.scope, cap.window, amount.actions_milli, amount.data_milli);
          }
        }
        return { ok: true };
      });
    } catch (thrown) {
      if (thrown instanceof CapReached) return thrown.result;
      throw thrown;
    }
  }

  async settle(leadId: string, actual: Credits, now: number): Promise<void> {
    const s = this.statements;
    const amount = toMilli(actual);
    writeTransaction(this.db, () => {
      const latest = s.latest.get(leadId);
      if (latest === undefined || latest.status === "settled") return;
      // A released reservation still counted nothing; a late callback means Clay did charge.
      const before = latest.status === "reserved" ? latest : { actions_milli: 0, data_milli: 0 };
      this.addToCaps(latest.id, {
        actions_milli: amount.actions_milli - before.actions_milli,
        data_milli: amount.data_milli - before.data_milli,
      });
      s.setStatus.run("settled", amount.actions_milli, amount.data_milli, now, latest.id);
    });
  }

  async release(leadId: string, now: number): Promise<void> {
    const s = this.statements;
    writeTransaction(this.db, () => {
      const latest = s.latest.get(leadId);
      if (latest?.status !== "reserved") return;
      this.addToCaps(latest.id, negate(latest));
      s.setStatus.run("released", latest.actions_milli, latest.data_milli, now, latest.id);
    });
  }

  async used(scope: string, window: string): Promise<Credits> {
    return fromMilli(
      this.statements.total.get(scope, window) ?? { actions_milli: 0, data_milli: 0 },
    );
  }

  async recordSaved(leadId: string, saved: Credits, now: number): Promise<void> {
    const amount = toMilli(saved);
    writeTransaction(this.db, () =>
      this.statements.recordSaved.run(leadId, amount.actions_milli, amount.data_milli, now),
    );
  }

  async saved(): Promise<Credits> {
    return fromMilli(this.statements.saved.get() ?? { actions_milli: 0, data_milli: 0 });
  }

  private addToCaps(reservationId: number, delta: MilliCredits): void {
    for (const cap of this.statements.capsOf.all(reservationId)) {
      this.statements.addToTotal.run(
        cap.scope,
        cap.window_key,
        delta.actions_milli,
        delta.data_milli,
      );
    }
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

function negate(amount: MilliCredits): MilliCredits {
  return { actions_milli: -amount.actions_milli, data_milli: -amount.data_milli };
}
