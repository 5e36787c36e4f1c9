/** A lead with its history and sink deliveries: what GET /v1/leads/:id and `dlq inspect` show. */
import type { Store } from "../store/store.js";
import type { LeadView } from "./pipeline-api.js";

export async function readLeadView(store: Store, id: string): Promise<LeadView | undefined> {
  const lead = await store.leads.get(id);
  if (!lead) return undefined;
  const [history, deliveries] = await Promise.all([
    store.leads.history(id),
    store.deliveries.forLead(id),
  ]);
  return { lead, history, deliveries };
}
