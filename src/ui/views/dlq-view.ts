/**
 * DLQ: dead leads, or dead sink deliveries (`?kind=deliveries`), filtered by
 * reason, source, sink and when they died, a page at a time by cursor. Each
 * row links to its lead's page; admins replay one, the ticked rows, or all
 * that match the filter (dlq-actions.ts), and purge dead leads after a
 * confirmation that counts them (dlq-purge.ts).
 */
import type { FastifyInstance } from "fastify";
import { DEAD_REASONS } from "../../core/lead-state.js";
import type { SinkDelivery, StoredLead } from "../../store/store.js";
import { readFlash } from "../flash.js";
import { formatNumber, formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import type { UiSession } from "../ui-session.js";
import {
  type DlqFilter,
  type DlqFilterText,
  dlqUrl,
  first,
  hiddenFilter,
  readDlqFilter,
} from "./dlq-filter.js";
import { leadLink, leadWho } from "./lead-cells.js";
import { listOrIssue } from "./list-or-issue.js";

/** Rows per page unless `?limit=` (1 to 200) says otherwise. */
const DLQ_PAGE = 50;

function pageSize(text: string | undefined): number {
  const size = Number(text);
  return Number.isSafeInteger(size) && size >= 1 && size <= 200 ? size : DLQ_PAGE;
}

export function registerDlqView(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config } = context;
  app.get("/ui/dlq", async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filter = readDlqFilter(query);
    const cursor = first(query.cursor);
    const limit = pageSize(first(query.limit));
    const session = request.uiSession;
    const { kind } = filter.text;
    const listed =
      kind === "leads"
        ? await listOrIssue(() =>
            pipeline.deadLetters.list({
              ...filter.query,
              limit,
              ...(cursor ? { cursor } : {}),
            }),
          )
        : await listOrIssue(() =>
            pipeline.deadLetters.deliveries({
              ...filter.query,
              limit,
              ...(cursor ? { cursor } : {}),
            }),
          );
    const issues = listed.issue ? [...filter.issues, listed.issue] : filter.issues;
    const body = html`${tabs(filter.text)}
${readFlash(query)}
${filterForm(context, filter)}
${issues.map((issue) => html`<p class="error" data-test="filter-issue">${issue}</p>`)}
${session?.role === "admin" ? actions(filter.text, session) : html`<p class="note">Your key is read-only: replay and purge need a key from <code>server.apiKeys</code>.</p>`}
${
  !listed.page
    ? ""
    : "leads" in listed.page
      ? leadsTable(listed.page.leads, filter.text, session)
      : deliveriesTable(listed.page.deliveries, filter.text, session)
}
${pager(filter.text, cursor, listed.page?.nextCursor ?? null, limit)}`;
    return sendHtml(reply, page({ title: "DLQ", view: "dlq", session, tier: config.tier }, body));
  });
}

function tabs(text: DlqFilterText): Html {
  const tab = (kind: DlqFilterText["kind"], label: string) =>
    html`<a href="${kind === "leads" ? "/ui/dlq" : "/ui/dlq?kind=deliveries"}"${text.kind === kind ? html` class="current" aria-current="page"` : ""}>${label}</a>`;
  return html`<nav class="tabs">${tab("leads", "Dead leads")} ${tab("deliveries", "Dead sink deliveries")}</nav>`;
}

function filterForm(context: UiContext, filter: DlqFilter): Html {
  const { text } = filter;
  const sources = context.config.sources.map((source) => source.name);
  const sinks = context.config.sinks.map((sink) => sink.name);
  const reason =
    text.kind === "leads"
      ? html`<label>Reason<select name="reason"><option value="">any</option>${DEAD_REASONS.map((name) => html`<option${name === text.reason ? html` selected` : ""}>${name}</option>`)}</select></label>`
      : html`<label>Error contains<input name="reason" value="${text.reason ?? ""}" placeholder="HTTP 503"></label>`;
  return html`<form class="filters" method="get" action="/ui/dlq">
<input type="hidden" name="kind" value="${text.kind}">
${reason}
<label>Source<input name="source" list="dlq-sources" value="${text.source ?? ""}"></label><datalist id="dlq-sources">${sources.map((name) => html`<option value="${name}">`)}</datalist>
${text.kind === "deliveries" ? html`<label>Sink<select name="sink"><option value="">any</option>${sinks.map((name) => html`<option${name === text.sink ? html` selected` : ""}>${name}</option>`)}</select></label>` : ""}
<label>Died from (UTC)<input type="datetime-local" name="diedFrom" value="${text.diedFrom ?? ""}"></label>
<label>Died before (UTC)<input type="datetime-local" name="diedTo" value="${text.diedTo ?? ""}"></label>
<button type="submit">Filter</button> <a href="${dlqUrl("/ui/dlq", { kind: text.kind })}">Clear</a>
</form>`;
}

function actions(text: DlqFilterText, session: UiSession): Html {
  const what = text.kind === "leads" ? "dead lead" : "dead delivery";
  return html`<div class="actions">
<form id="dlq-selected" method="post" action="/ui/dlq/replay"><input type="hidden" name="_csrf" value="${session.csrfToken}">${hiddenFilter(text)}<input type="hidden" name="scope" value="selected"><button type="submit" data-test="replay-selected">Replay selected</button></form>
<form method="post" action="/ui/dlq/replay" data-confirm="Replay every ${what} this filter matches?"><input type="hidden" name="_csrf" value="${session.csrfToken}">${hiddenFilter(text)}<input type="hidden" name="scope" value="filter"><button type="submit" class="secondary" data-test="replay-filter">Replay all matching</button></form>
${text.kind === "leads" ? html`<a class="button danger" href="${dlqUrl("/ui/dlq/purge", text)}" data-test="purge">Purge all matching…</a>` : ""}
</div>`;
}

/** A row's own replay button: a form of its own, so it needs no script. */
function replayOne(text: DlqFilterText, session: UiSession | undefined, id: string): Html {
  if (session?.role !== "admin") return html``;
  return html`<form method="post" action="/ui/dlq/replay" class="inline"><input type="hidden" name="_csrf" value="${session.csrfToken}">${hiddenFilter(text)}<input type="hidden" name="scope" value="one"><input type="hidden" name="ids" value="${id}"><button type="submit" class="secondary">Replay</button></form>`;
}

function tick(session: UiSession | undefined, value: string): Html {
  if (session?.role !== "admin") return html``;
  return html`<input type="checkbox" name="ids" value="${value}" form="dlq-selected" aria-label="select">`;
}

function leadsTable(
  leads: StoredLead[],
  text: DlqFilterText,
  session: UiSession | undefined,
): Html {
  if (leads.length === 0)
    return html`<p class="empty" data-test="dlq-empty">No dead lead matches.</p>`;
  return html`<table class="wide"><thead><tr><th></th><th>Lead</th><th>Who</th><th>Source</th><th>Reason</th><th>Died</th><th class="num">Sends</th><th></th></tr></thead><tbody>
${leads.map(
  (lead) =>
    html`<tr data-test="dlq-row" data-id="${lead.id}"><td>${tick(session, lead.id)}</td><td>${leadLink(lead.id)}</td><td>${leadWho(lead)}</td><td>${lead.source}</td><td>${lead.reason ?? ""}</td><td>${formatTime(lead.updatedAt)}</td><td class="num">${formatNumber(lead.attempt)}</td><td>${replayOne(text, session, lead.id)}</td></tr>`,
)}
</tbody></table>`;
}

/** A delivery is picked as "sink/leadId": lead ids hold no slash. */
export function deliveryKey(delivery: Pick<SinkDelivery, "sink" | "leadId">): string {
  return `${delivery.sink}/${delivery.leadId}`;
}

function deliveriesTable(
  deliveries: SinkDelivery[],
  text: DlqFilterText,
  session: UiSession | undefined,
): Html {
  if (deliveries.length === 0)
    return html`<p class="empty" data-test="dlq-empty">No dead delivery matches.</p>`;
  return html`<table class="wide"><thead><tr><th></th><th>Lead</th><th>Sink</th><th>Route</th><th>Last error</th><th>Died</th><th class="num">Tries</th><th></th></tr></thead><tbody>
${deliveries.map(
  (delivery) =>
    html`<tr data-test="dlq-row" data-id="${delivery.leadId}"><td>${tick(session, deliveryKey(delivery))}</td><td>${leadLink(delivery.leadId)}</td><td>${delivery.sink}</td><td>${delivery.route}</td><td>${delivery.lastError ?? ""}</td><td>${formatTime(delivery.updatedAt)}</td><td class="num">${formatNumber(delivery.attempts)}</td><td>${replayOne(text, session, deliveryKey(delivery))}</td></tr>`,
)}
</tbody></table>`;
}

function pager(
  text: DlqFilterText,
  cursor: string | undefined,
  next: string | null,
  limit: number,
): Html {
  const size: Record<string, string> = limit === DLQ_PAGE ? {} : { limit: String(limit) };
  return html`<nav class="pager">${cursor ? html`<a href="${dlqUrl("/ui/dlq", text, size)}">First page</a>` : ""} ${next ? html`<a href="${dlqUrl("/ui/dlq", text, { ...size, cursor: next })}" data-test="next-page">Next page</a>` : ""}</nav>`;
}
