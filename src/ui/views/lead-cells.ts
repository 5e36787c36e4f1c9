/** The cells that name a lead in the DLQ and Waiting tables: a link to its page, and who it is. */
import type { StoredLead } from "../../store/store.js";
import { type Html, html } from "../html.js";

export function leadLink(id: string): Html {
  return html`<a href="/ui/leads/${encodeURIComponent(id)}" data-test="lead-link"><code>${id.slice(0, 13)}…</code></a>`;
}

/** Email, name and company, as far as the lead has them (escaped like every value). */
export function leadWho(lead: StoredLead): string {
  const { fields } = lead;
  const name = [fields.first_name, fields.last_name].filter((part) => part != null && part !== "");
  return [fields.email, name.join(" "), fields.company]
    .filter((part) => part != null && part !== "")
    .map(String)
    .join(" · ");
}
