/**
 * Leads: search by email or lead id, state, source, creation time, and a
 * partial match on one field, paged by cursor. A partial match scans a
 * bounded window of leads a page, so a page may come back empty with a link
 * to search on. Inputs it cannot search for answer 400 with what to change.
 */
import type { FastifyInstance } from "fastify";
import { LEAD_STATES } from "../../core/lead-state.js";
import type { LeadPage } from "../../pipeline/pipeline-api.js";
import { MATCH_SCAN_ROWS } from "../../store/lead-store.js";
import { formatNumber, formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import { type LeadSearchForm, parseSearchForm, readSearchForm } from "../lead-search-form.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import { searchFailure } from "./lead-search-failure.js";

const PAGE_SIZE = 50;

export function registerLeadsView(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config } = context;
  const sources = config.sources.map((source) => source.name);
  app.get("/ui/leads", async (request, reply) => {
    const form = readSearchForm(request.query);
    const parsed = parseSearchForm(form, PAGE_SIZE);
    const show = (results: Html, status = 200) =>
      sendHtml(
        reply,
        page(
          { title: "Leads", view: "leads", session: request.uiSession, tier: config.tier },
          html`${searchForm(form, sources)}${results}`,
        ),
        status,
      );
    if (!parsed.ok) return show(errorList(parsed.errors), 400);
    let found: LeadPage;
    try {
      found = await pipeline.leads.search(parsed.query);
    } catch (error) {
      const failure = searchFailure(error);
      return show(errorList([failure.message]), failure.status);
    }
    return show(resultsTable(found, form));
  });
}

function searchForm(form: LeadSearchForm, sources: readonly string[]): Html {
  const known = form.source && !sources.includes(form.source) ? [...sources, form.source] : sources;
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;
  return html`<form class="filters" method="get" action="/ui/leads" role="search">
<label>Email or lead id<input type="search" name="q" value="${form.q}" size="32" maxlength="320"></label>
<label>State<select name="state">${option("", "any", form.state === "")}${LEAD_STATES.map((state) => option(state, state.replaceAll("_", " "), state === form.state))}</select></label>
<label>Source<select name="source">${option("", "any", form.source === "")}${known.map((source) => option(source, source, source === form.source))}</select></label>
<label>Created from (UTC)<input type="datetime-local" name="from" value="${form.from}"></label>
<label>to<input type="datetime-local" name="to" value="${form.to}"></label>
<label>Field<input type="text" name="field" value="${form.field}" size="14" placeholder="company"></label>
<label>of<select name="in">${option("fields", "the lead", form.in !== "result")}${option("result", "the result", form.in === "result")}</select></label>
<label>contains<input type="text" name="contains" value="${form.contains}" size="18" maxlength="200"></label>
<button type="submit">Search</button>
<a href="/ui/leads">Clear</a>
</form>`;
}

function errorList(errors: readonly string[]): Html {
  return html`<div class="error" role="alert" data-test="search-error">${errors.map((error) => html`<p>${error}</p>`)}</div>`;
}

function resultsTable(found: LeadPage, form: LeadSearchForm): Html {
  const next = found.nextCursor ? nextPageLink(form, found.nextCursor) : "";
  const scanning = form.field && form.contains;
  if (found.leads.length === 0) {
    const why =
      scanning && next
        ? `No match in this stretch of up to ${formatNumber(MATCH_SCAN_ROWS)} leads: the next page searches on.`
        : "No lead matches.";
    return html`<p class="empty" data-test="no-leads">${why}</p>${next}`;
  }
  return html`<table class="wide" data-test="leads"><thead><tr><th>Lead</th><th>Email</th><th>Source</th><th>State</th><th>Reason</th><th>Created</th><th>Updated</th></tr></thead><tbody>
${found.leads.map(
  (lead) =>
    html`<tr data-test="lead-row"><td><a href="/ui/leads/${encodeURIComponent(lead.id)}"><code>${lead.id}</code></a></td><td>${textOf(lead.fields.email)}</td><td>${lead.source}</td><td>${lead.state.replaceAll("_", " ")}</td><td>${lead.reason ?? ""}</td><td>${formatTime(lead.createdAt)}</td><td>${formatTime(lead.updatedAt)}</td></tr>`,
)}
</tbody></table>${next}`;
}

function nextPageLink(form: LeadSearchForm, cursor: string): Html {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form))
    if (value && key !== "cursor") params.set(key, value);
  params.set("cursor", cursor);
  return html`<p class="actions"><a href="/ui/leads?${params.toString()}" rel="next" data-test="next-page">Next page</a></p>`;
}

function textOf(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
