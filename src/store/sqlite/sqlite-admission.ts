/**
 * Admission on SQLite: the dedupe decision and the write of a batch of new
 * leads, inside the caller's write transaction. Each person of the batch is
 * looked up once (an index probe) and the rows go in with multi-row INSERTs.
 * A lead's admission — received, then queued, duplicate or skipped — is recorded on its
 * row (admitted_state, admitted_reason) and read back as the first two steps
 * of its history: one row per lead instead of three, which is what a CSV
 * import of a million leads pays for.
 */
import { admissionReason, decideAdmissions, personOf } from "../decide-admissions.js";
import { LEAD_COLUMNS, type LeadRow, toStoredLead } from "../lead-row.js";
import type { Admission, AdmitOptions, NewLead, StoredLead } from "../lead-store.js";
import type { SqliteDatabase } from "./open-database.js";

/** Rows per multi-row INSERT: 15 values each, far below SQLite's limit on bound values. */
const ROWS_PER_INSERT = 100;
const ROW_WIDTH = 15;

const INSERT_LEADS = `INSERT INTO leads (id, source, workspace, table_name, identity_key, fields,
  state, reason, admitted_state, admitted_reason, priority, duplicate_of, available_at,
  created_at, updated_at) VALUES `;
const ROW_VALUES = `(${Array(ROW_WIDTH).fill("?").join(", ")})`;

/**
 * A lead's history as LeadEventRows: the two admission steps its row records
 * (none for a lead admitted before they were), then every later move. Binds
 * the lead id three times.
 */
export const HISTORY_SQL = `
  SELECT lead_id, at, from_state, to_state, reason FROM (
    SELECT id AS lead_id, created_at AS at, NULL AS from_state, 'received' AS to_state,
      NULL AS reason, -2 AS step
    FROM leads WHERE id = ? AND admitted_state IS NOT NULL
    UNION ALL
    SELECT id, created_at, 'received', admitted_state, admitted_reason, -1
    FROM leads WHERE id = ? AND admitted_state IS NOT NULL
    UNION ALL
    SELECT lead_id, at, from_state, to_state, reason, id FROM lead_events WHERE lead_id = ?
  ) ORDER BY step`;

type Value = string | number | null;

export class SqliteAdmission {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      // rowid breaks ties among leads created in the same millisecond: the one admitted first.
      // A skipped lead is no one's original: it will never have a result to share.
      original: db.prepare<[string, string, number], LeadRow>(
        `SELECT ${LEAD_COLUMNS} FROM leads
         WHERE identity_key = ? AND workspace = ? AND state NOT IN ('dead', 'skipped')
           AND created_at >= ?
         ORDER BY created_at, rowid LIMIT 1`,
      ),
      insertMany: db.prepare<Value[]>(
        INSERT_LEADS + Array(ROWS_PER_INSERT).fill(ROW_VALUES).join(", "),
      ),
      insertOne: db.prepare<Value[]>(INSERT_LEADS + ROW_VALUES),
    };
  }

  /** Admits the batch; call it inside a write transaction. */
  admit(leads: readonly NewLead[], options: AdmitOptions): Admission[] {
    const people = leads.map(personOf);
    const stored = this.originals(leads, people, options.dedupeSince);
    const admissions = decideAdmissions(leads, stored, options, people);
    const s = this.statements;
    const values: Value[] = [];
    for (let index = 0; index < leads.length; index++) {
      pushRow(values, leads[index]!, admissions[index]!, options.now);
      if (values.length === ROWS_PER_INSERT * ROW_WIDTH) {
        s.insertMany.run(...values);
        values.length = 0;
      }
    }
    for (let start = 0; start < values.length; start += ROW_WIDTH) {
      s.insertOne.run(...values.slice(start, start + ROW_WIDTH));
    }
    return admissions;
  }

  /** The stored original of each person in the batch that has one. */
  private originals(
    leads: readonly NewLead[],
    people: readonly string[],
    dedupeSince: number,
  ): Map<string, StoredLead> {
    const found = new Map<string, StoredLead>();
    const looked = new Set<string>();
    leads.forEach((lead, index) => {
      const person = people[index]!;
      if (looked.has(person)) return;
      looked.add(person);
      const row = this.statements.original.get(lead.identityKey, lead.workspace, dedupeSince);
      if (row) found.set(person, toStoredLead(row));
    });
    return found;
  }
}

/** The row goes in with its decided state, which it also keeps as the admission's. */
function pushRow(values: Value[], lead: NewLead, admission: Admission, now: number): void {
  const reason = admissionReason(lead, admission);
  values.push(
    lead.id,
    lead.source,
    lead.workspace,
    lead.table,
    lead.identityKey,
    JSON.stringify(lead.fields),
    admission.state,
    reason,
    admission.state,
    reason,
    lead.priority,
    admission.state === "duplicate" ? admission.duplicateOf : null,
    now,
    now,
    now,
  );
}
