/**
 * The CreditLedger port on PostgreSQL. Each send of a lead has a reservation
 * row naming the caps (scope, window) it counts against; `credit_totals` keeps
 * the running sum per cap. A change first takes an advisory lock on the lead
 * (one open reservation per lead, whoever sends it), then locks the totals it
 * touches in (scope, window) order, so concurrent workers queue on a cap
 * instead of both passing it, and never deadlock. Amounts are stored in
 * thousandths of a credit so sums never drift.
 */
import type { CreditCap, CreditLedger, Credits, ReserveCreditsResult } from "../credit-ledger.js";
import { advisoryKey } from "./advisory-keys.js";
import type { PostgresDatabase, Queryable } from "./postgres-database.js";

interface ReservationRow extends MilliCredits {
  id: number;
  status: "reserved" | "settled" | "released";
}

interface MilliCredits {
  actions_milli: number;
  data_milli: number;
}

/** A cap's row in `credit_totals`. */
interface CapWindow {
  scope: string;
  window: string;
}

const KINDS = ["actions", "data"] as const;
const NONE: MilliCredits = { actions_milli: 0, data_milli: 0 };

export class PostgresCreditLedger implements CreditLedger {
  private readonly reservations: string;
  private readonly reservationCaps: string;
  private readonly totals: string;
  private readonly saves: string;

  constructor(private readonly db: PostgresDatabase) {
    this.reservations = db.table("credit_reservations");
    this.reservationCaps = db.table("credit_reservation_caps");
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
    return this.db.transaction<ReserveCreditsResult>(async (tx, refuse) => {
      const latest = await this.lockLead(tx, leadId);
      // A lead has one open reservation: sending it again replaces the previous estimate.
      const open = latest?.status === "reserved" ? latest : undefined;
      const openCaps = open ? await this.capsOf(tx, open.id) : [];
      const used = await this.lockTotals(tx, [...caps, ...openCaps]);
      const deltas = new Map<string, CapWindow & MilliCredits>();
      if (open) for (const cap of openCaps) addDelta(deltas, cap, negate(open));
      for (const cap of caps) {
        const before = plus(used.get(capKey(cap)) ?? NONE, deltas.get(capKey(cap)) ?? NONE);
        const over = KINDS.some((kind) => {
          const limit = cap.limit[kind];
          return (
            limit !== undefined && before[`${kind}_milli`] + amount[`${kind}_milli`] > milli(limit)
          );
        });
        if (over) refuse({ ok: false, cap, used: fromMilli(before) });
      }
      if (open) await this.setStatus(tx, open.id, "released", open, now);
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO ${this.reservations}
           (lead_id, status, actions_milli, data_milli, created_at, updated_at)
         VALUES ($1, 'reserved', $2, $3, $4, $4) RETURNING id`,
        [leadId, amount.actions_milli, amount.data_milli, now],
      );
      // A cap named twice counts the lead once.
      const counted = distinctCaps(caps);
      await tx.query(
        `INSERT INTO ${this.reservationCaps} (reservation_id, scope, window_key)
         SELECT $1, scope, window_key FROM unnest($2::text[], $3::text[]) AS cap (scope, window_key)`,
        [rows[0]?.id, counted.map((cap) => cap.scope), counted.map((cap) => cap.window)],
      );
      for (const cap of counted) addDelta(deltas, cap, amount);
      await this.applyDeltas(tx, deltas);
      return { ok: true };
    });
  }

  async settle(leadId: string, actual: Credits, now: number): Promise<void> {
    const amount = toMilli(actual);
    await this.db.transaction(async (tx) => {
      const latest = await this.lockLead(tx, leadId);
      if (latest === undefined || latest.status === "settled") return;
      // A released reservation still counted nothing; a late callback means Clay did charge.
      const before = latest.status === "reserved" ? latest : NONE;
      await this.moveCaps(tx, latest.id, plus(amount, negate(before)));
      await this.setStatus(tx, latest.id, "settled", amount, now);
    });
  }

  async release(leadId: string, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const latest = await this.lockLead(tx, leadId);
      if (latest?.status !== "reserved") return;
      await this.moveCaps(tx, latest.id, negate(latest));
      await this.setStatus(tx, latest.id, "released", latest, now);
    });
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

  /** Locks the lead's reservations for the transaction and reads its latest one. */
  private async lockLead(tx: Queryable, leadId: string): Promise<ReservationRow | undefined> {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [
      advisoryKey("claypipe credits", this.db.schema, leadId),
    ]);
    // A statement of its own: under READ COMMITTED it sees what the lock's last holder committed.
    const { rows } = await tx.query<ReservationRow>(
      `SELECT id, status, actions_milli, data_milli FROM ${this.reservations}
       WHERE lead_id = $1 ORDER BY id DESC LIMIT 1`,
      [leadId],
    );
    return rows[0];
  }

  private async capsOf(tx: Queryable, reservationId: number): Promise<CapWindow[]> {
    const { rows } = await tx.query<{ scope: string; window_key: string }>(
      `SELECT scope, window_key FROM ${this.reservationCaps} WHERE reservation_id = $1`,
      [reservationId],
    );
    return rows.map((row) => ({ scope: row.scope, window: row.window_key }));
  }

  /** Creates the caps' totals when missing and locks them in a fixed order; returns what each holds. */
  private async lockTotals(tx: Queryable, caps: CapWindow[]): Promise<Map<string, MilliCredits>> {
    const distinct = distinctCaps(caps);
    if (distinct.length === 0) return new Map();
    const params = [distinct.map((cap) => cap.scope), distinct.map((cap) => cap.window)];
    await tx.query(
      `INSERT INTO ${this.totals} (scope, window_key)
       SELECT scope, window_key FROM unnest($1::text[], $2::text[]) AS cap (scope, window_key)
       ORDER BY scope COLLATE "C", window_key COLLATE "C"
       ON CONFLICT (scope, window_key) DO NOTHING`,
      params,
    );
    const { rows } = await tx.query<{ scope: string; window_key: string } & MilliCredits>(
      `SELECT scope, window_key, actions_milli, data_milli FROM ${this.totals}
       WHERE (scope, window_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY scope, window_key FOR UPDATE`,
      params,
    );
    return new Map(rows.map((row) => [capKey({ scope: row.scope, window: row.window_key }), row]));
  }

  /** Adds `delta` to every total the reservation counts against. */
  private async moveCaps(tx: Queryable, reservationId: number, delta: MilliCredits): Promise<void> {
    const caps = await this.capsOf(tx, reservationId);
    await this.lockTotals(tx, caps);
    const deltas = new Map<string, CapWindow & MilliCredits>();
    for (const cap of caps) addDelta(deltas, cap, delta);
    await this.applyDeltas(tx, deltas);
  }

  private async applyDeltas(
    tx: Queryable,
    deltas: Map<string, CapWindow & MilliCredits>,
  ): Promise<void> {
    const rows = [...deltas.values()];
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE ${this.totals} AS total SET actions_milli = total.actions_milli + delta.actions,
         data_milli = total.data_milli + delta.data
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
         AS delta (scope, window_key, actions, data)
       WHERE total.scope = delta.scope AND total.window_key = delta.window_key`,
      [
        rows.map((row) => row.scope),
        rows.map((row) => row.window),
        rows.map((row) => row.actions_milli),
        rows.map((row) => row.data_milli),
      ],
    );
  }

  private async setStatus(
    tx: Queryable,
    id: number,
    status: ReservationRow["status"],
    amount: MilliCredits,
    now: number,
  ): Promise<void> {
    await tx.query(
      `UPDATE ${this.reservations} SET status = $1, actions_milli = $2, data_milli = $3,
         updated_at = $4 WHERE id = $5`,
      [status, amount.actions_milli, amount.data_milli, now, id],
    );
  }
}

function capKey(cap: CapWindow): string {
  return `${cap.scope}\u0000${cap.window}`;
}

function distinctCaps(caps: CapWindow[]): CapWindow[] {
  const byKey = new Map(caps.map((cap) => [capKey(cap), { scope: cap.scope, window: cap.window }]));
  return [...byKey.values()];
}

function addDelta(
  deltas: Map<string, CapWindow & MilliCredits>,
  cap: CapWindow,
  delta: MilliCredits,
): void {
  const key = capKey(cap);
  const current = deltas.get(key) ?? { scope: cap.scope, window: cap.window, ...NONE };
  deltas.set(key, { ...current, ...plus(current, delta) });
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

function plus(a: MilliCredits, b: MilliCredits): MilliCredits {
  return {
    actions_milli: a.actions_milli + b.actions_milli,
    data_milli: a.data_milli + b.data_milli,
  };
}

function negate(amount: MilliCredits): MilliCredits {
  return { actions_milli: -amount.actions_milli, data_milli: -amount.data_milli };
}
