/**
 * Finding leads for a person at a screen: by email (looked up by the dedupe
 * key intake gave the lead, so an indexed equality), by id, state, source,
 * time, or a bounded partial match on one field; and a lead with the version
 * its result compares to. (The overdue callbacks are `pipeline.waiting`'s.)
 */
import type { ClaypipeConfig } from "../config/schema.js";
import { normalizeEmail } from "../core/lead.js";
import type { LeadListQuery, Store } from "../store/store.js";
import { dedupeKey } from "./dedupe-key.js";
import type { LeadSearch, LeadSearchQuery } from "./pipeline-api.js";
import { readLeadView } from "./read-lead-view.js";

export function createLeadSearch(deps: { store: Store; config: ClaypipeConfig }): LeadSearch {
  const { store, config } = deps;
  return {
    search: (query) => store.leads.list(toListQuery(query, config)),
    async get(id) {
      const view = await readLeadView(store, id);
      if (!view) return undefined;
      const previous = await store.versions.previous(view.lead);
      return previous ? { ...view, previous } : view;
    },
  };
}

function toListQuery(query: LeadSearchQuery, config: ClaypipeConfig): LeadListQuery {
  const { email, ...rest } = query;
  if (email === undefined) return rest;
  // A lead with an email has this key unless the dedupe key names other fields it also has.
  const identityKey = dedupeKey({ email: normalizeEmail(email) }, config.dedupe.key);
  return identityKey === undefined ? rest : { ...rest, identityKey };
}
