/**
 * The advisory locks an admission holds until it commits, so that processes
 * admitting the same person one after the other agree on one original.
 *
 * Two levels keep the server's lock table small: a batch with few people in a
 * workspace takes a shared lock on the workspace and one lock per person; a
 * big batch (a CSV import) takes the workspace's lock exclusively instead of
 * thousands of small ones. Workspace locks come first and each level goes in
 * key order, so two admissions never deadlock.
 */
import type { NewLead } from "../lead-store.js";
import { advisoryKey, sortKeys } from "./advisory-keys.js";
import type { Queryable } from "./postgres-database.js";

/** Above this many people in one workspace, a batch locks the whole workspace. */
const PEOPLE_PER_BATCH_LOCKED_ONE_BY_ONE = 64;

export async function lockAdmission(
  tx: Queryable,
  schema: string,
  leads: NewLead[],
): Promise<void> {
  const people = new Map<string, Set<string>>();
  for (const lead of leads) {
    const inWorkspace = people.get(lead.workspace) ?? new Set<string>();
    inWorkspace.add(lead.identityKey);
    people.set(lead.workspace, inWorkspace);
  }
  const exclusive = new Set<string>();
  const workspaceKeys: string[] = [];
  const personKeys: string[] = [];
  for (const [workspace, identities] of people) {
    const key = advisoryKey("claypipe admission", schema, workspace);
    workspaceKeys.push(key);
    if (identities.size > PEOPLE_PER_BATCH_LOCKED_ONE_BY_ONE) {
      exclusive.add(key);
      continue;
    }
    for (const identity of identities) {
      personKeys.push(advisoryKey("claypipe admission", schema, workspace, identity));
    }
  }
  const keys = [...sortKeys(workspaceKeys), ...sortKeys(personKeys)];
  await tx.query(
    `SELECT CASE WHEN shared THEN pg_advisory_xact_lock_shared(key) ELSE pg_advisory_xact_lock(key) END
     FROM unnest($1::bigint[], $2::boolean[]) AS lock (key, shared)`,
    [keys, keys.map((key, index) => index < workspaceKeys.length && !exclusive.has(key))],
  );
}
