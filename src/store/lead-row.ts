/**
 * How a StoredLead is laid out in the `leads` table: plain columns for what
 * queries filter on, JSON text for fields, result and routes.
 */
import type { Lead } from "../core/lead.js";
import type { LeadState } from "../core/lead-state.js";
import type { EnrichedRow, LeadEvent, StoredLead } from "./lead-store.js";

export interface LeadRow {
  id: string;
  source: string;
  workspace: string;
  table_name: string;
  identity_key: string;
  fields: string;
  state: string;
  reason: string | null;
  priority: number;
  attempt: number;
  available_at: number;
  callback_deadline: number | null;
  duplicate_of: string | null;
  result: string | null;
  routes: string;
  created_at: number;
  updated_at: number;
}

export interface LeadEventRow {
  lead_id: string;
  at: number;
  from_state: string | null;
  to_state: string;
  reason: string | null;
}

export const LEAD_COLUMNS =
  "id, source, workspace, table_name, identity_key, fields, state, reason, priority, attempt, " +
  "available_at, callback_deadline, duplicate_of, result, routes, created_at, updated_at";

export function toStoredLead(row: LeadRow): StoredLead {
  return {
    id: row.id,
    source: row.source,
    workspace: row.workspace,
    table: row.table_name,
    identityKey: row.identity_key,
    fields: JSON.parse(row.fields) as Lead,
    state: row.state as LeadState,
    reason: row.reason,
    priority: row.priority,
    attempt: row.attempt,
    availableAt: row.available_at,
    callbackDeadline: row.callback_deadline,
    duplicateOf: row.duplicate_of,
    result: row.result === null ? null : (JSON.parse(row.result) as EnrichedRow),
    routes: JSON.parse(row.routes) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toLeadEvent(row: LeadEventRow): LeadEvent {
  return {
    leadId: row.lead_id,
    at: row.at,
    from: row.from_state as LeadState | null,
    to: row.to_state as LeadState,
    reason: row.reason,
  };
}
