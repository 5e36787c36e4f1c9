/**
 * The transition feed on PostgreSQL. A lead's history lives in two places —
 * its admission steps on its row (received, then queued or duplicate), every
 * later move in `lead_events` — and each row carries the transaction that
 * wrote it. The feed reads only rows of transactions older than every one
 * still running (`pg_snapshot_xmin`): those are final, so a position in
 * (transaction, row) order never passes a row that commits later. One process
 * at a time moves a feed (an advisory lock held by the reading transaction);
 * a publish that fails, or a process that dies mid-publish, leaves the
 * position where it was, so a transition may be published twice, never lost.
 */
import type { LeadState } from "../../core/lead-state.js";
import type { Transition, TransitionFeed } from "../transition-feed.js";
import { advisoryKey } from "./advisory-keys.js";
import type { PostgresDatabase, Queryable } from "./postgres-database.js";

interface Position {
  events_tx: string;
  events_id: string;
  admitted_tx: string;
  admitted_seq: string;
}

interface FeedRow {
  tx: string;
  pos: string;
  lead_id: string;
  identity_key: string;
  at: string;
  from_state: LeadState | null;
  to_state: LeadState;
  reason: string | null;
}

/** An entry of the merged read: which source it came from, and the transitions it yields. */
interface Step {
  source: "events" | "admitted";
  tx: bigint;
  pos: bigint;
  transitions: Transition[];
}

export class PostgresTransitionFeed implements TransitionFeed {
  constructor(
    private readonly db: PostgresDatabase,
    /** Names the feed's position: each publisher of its own keeps one. */
    private readonly name: string,
  ) {}

  async publishNext(
    limit: number,
    publish: (transitions: Transition[]) => Promise<void>,
  ): Promise<number> {
    const outcome = await this.db.transaction<{ handed: number } | { failed: unknown }>(
      async (tx, refuse) => {
        const { rows: locked } = await tx.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_xact_lock($1::bigint) AS locked",
          [advisoryKey("claypipe transition feed", this.db.schema, this.name)],
        );
        if (!locked[0]?.locked) return { handed: 0 };
        const { rows: horizon } = await tx.query<{ xmin: string }>(
          "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin",
        );
        const xmin = horizon[0]!.xmin;
        const position = await this.position(tx, xmin);
        const steps = await this.read(tx, position, xmin, limit);
        if (steps.length === 0) return { handed: 0 };
        const transitions = steps.flatMap((step) => step.transitions);
        // The publisher's failure is its own, not the database's: roll back and rethrow it as it is.
        await publish(transitions).catch((failed: unknown) => refuse({ failed }));
        await this.moveTo(tx, position, steps);
        return { handed: transitions.length };
      },
    );
    if ("failed" in outcome) throw outcome.failed;
    return outcome.handed;
  }

  /** The feed's position; a new feed starts at the horizon, after everything already final. */
  private async position(tx: Queryable, xmin: string): Promise<Position> {
    const { rows } = await tx.query<Position>(
      `INSERT INTO ${this.db.table("feed_positions")} AS p
         (name, events_tx, events_id, admitted_tx, admitted_seq)
       VALUES ($1, $2::xid8, 0, $2::xid8, 0)
       ON CONFLICT (name) DO UPDATE SET name = p.name
       RETURNING events_tx::text, events_id::text, admitted_tx::text, admitted_seq::text`,
      [this.name, xmin],
    );
    return rows[0]!;
  }

  /** Up to `limit` steps past `position` of transactions before `xmin`, both sources merged in order. */
  private async read(
    tx: Queryable,
    position: Position,
    xmin: string,
    limit: number,
  ): Promise<Step[]> {
    const [events, admitted] = await Promise.all([
      tx.query<FeedRow>(
        `SELECT e.tx::text, e.id::text AS pos, e.lead_id, l.identity_key, e.at::text,
           e.from_state, e.to_state, e.reason
         FROM ${this.db.table("lead_events")} e JOIN ${this.db.table("leads")} l ON l.id = e.lead_id
         WHERE (e.tx, e.id) > ($1::xid8, $2::bigint) AND e.tx < $3::xid8
         ORDER BY e.tx, e.id LIMIT $4`,
        [position.events_tx, position.events_id, xmin, limit],
      ),
      tx.query<FeedRow>(
        `SELECT admitted_tx::text AS tx, seq::text AS pos, id AS lead_id, identity_key,
           created_at::text AS at, 'received' AS from_state, admitted_state AS to_state,
           admitted_reason AS reason
         FROM ${this.db.table("leads")}
         WHERE (admitted_tx, seq) > ($1::xid8, $2::bigint) AND admitted_tx < $3::xid8
           AND admitted_state IS NOT NULL
         ORDER BY admitted_tx, seq LIMIT $4`,
        [position.admitted_tx, position.admitted_seq, xmin, limit],
      ),
    ]);
    const steps = [
      ...events.rows.map((row) => step("events", row, [transition(row)])),
      // An admission is two steps of the lead's history: it was received, then queued (or a duplicate).
      ...admitted.rows.map((row) =>
        step("admitted", row, [
          transition({ ...row, from_state: null, to_state: "received", reason: null }),
          transition(row),
        ]),
      ),
    ];
    // Admissions first within a transaction: a lead is admitted before anything moves it.
    steps.sort((a, b) =>
      a.tx !== b.tx
        ? Number(a.tx - b.tx)
        : a.source !== b.source
          ? a.source === "admitted"
            ? -1
            : 1
          : Number(a.pos - b.pos),
    );
    return steps.slice(0, limit);
  }

  private async moveTo(tx: Queryable, position: Position, steps: Step[]): Promise<void> {
    const last = (source: Step["source"]) => steps.findLast((step) => step.source === source);
    const events = last("events");
    const admitted = last("admitted");
    await tx.query(
      `UPDATE ${this.db.table("feed_positions")}
       SET events_tx = $2::xid8, events_id = $3, admitted_tx = $4::xid8, admitted_seq = $5
       WHERE name = $1`,
      [
        this.name,
        events ? String(events.tx) : position.events_tx,
        events ? String(events.pos) : position.events_id,
        admitted ? String(admitted.tx) : position.admitted_tx,
        admitted ? String(admitted.pos) : position.admitted_seq,
      ],
    );
  }
}

function step(source: Step["source"], row: FeedRow, transitions: Transition[]): Step {
  return { source, tx: BigInt(row.tx), pos: BigInt(row.pos), transitions };
}

function transition(row: FeedRow): Transition {
  return {
    leadId: row.lead_id,
    identityKey: row.identity_key,
    at: Number(row.at),
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
  };
}
