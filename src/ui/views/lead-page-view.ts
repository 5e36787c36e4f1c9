/**
 * One lead's page: its state and fields, its timeline (every transition with
 * its time and reason, each sink delivery with its answer), and the enriched
 * result with what changed since the person's previous version. Every value
 * is a lead's own data and goes through the escaping template.
 */
import type { FastifyInstance } from "fastify";
import type { LeadDetail } from "../../pipeline/pipeline-api.js";
import { CHANGED_FIELD } from "../../pipeline/result-changes.js";
import type { EnrichedRow, StoredLead } from "../../store/store.js";
import { formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import { leadTimeline, type TimelineEntry } from "../lead-timeline.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import { searchFailure } from "./lead-search-failure.js";

export function registerLeadPageView(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config } = context;
  app.get("/ui/leads/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    const show = (title: string, body: Html, status = 200) =>
      sendHtml(
        reply,
        page({ title, view: "leads", session: request.uiSession, tier: config.tier }, body),
        status,
      );
    let detail: LeadDetail | undefined;
    try {
      detail = await pipeline.leads.get(id);
    } catch (error) {
      const failure = searchFailure(error);
      return show(
        "Lead",
        html`<p class="error" role="alert">${failure.message}</p>`,
        failure.status,
      );
    }
    if (!detail) {
      return show(
        "No such lead",
        html`<p class="empty" data-test="no-lead">No lead has the id <code>${id.slice(0, 100)}</code>: it was never admitted, or it was purged from the DLQ.</p><p><a href="/ui/leads">Search the leads</a></p>`,
        404,
      );
    }
    return show(`Lead ${detail.lead.id}`, leadBody(detail));
  });
}

function leadBody(detail: LeadDetail): Html {
  const { lead } = detail;
  return html`<section class="panels">
<div class="panel"><h2>State</h2>${summary(lead)}</div>
<div class="panel"><h2>Fields</h2>${valuesTable(lead.fields, "field")}</div>
</section>
<h2>Timeline</h2>
<ol class="timeline" data-test="timeline">${leadTimeline(detail.history, detail.deliveries).map(timelineItem)}</ol>
<h2>Enriched result</h2>
${lead.result ? resultSection(lead.result, detail) : html`<p class="empty">No result yet.</p>`}`;
}

function summary(lead: StoredLead): Html {
  const rows: Array<[string, Html | string]> = [
    ["State", lead.state.replaceAll("_", " ")],
    ["Reason", lead.reason ?? "—"],
    ["Source", lead.source],
    ["Workspace / table", `${lead.workspace} / ${lead.table}`],
    ["Sends", String(lead.attempt)],
    ["Created", formatTime(lead.createdAt)],
    ["Updated", formatTime(lead.updatedAt)],
  ];
  if (["queued", "retrying", "deferred"].includes(lead.state)) {
    rows.push(["Moves on at", formatTime(lead.availableAt)]);
  }
  if (lead.callbackDeadline !== null)
    rows.push(["Callback deadline", formatTime(lead.callbackDeadline)]);
  if (lead.duplicateOf) rows.push(["Duplicate of", leadLink(lead.duplicateOf)]);
  if (lead.routes.length > 0) rows.push(["Routes", lead.routes.join(", ")]);
  return html`<table data-test="lead-summary"><tbody>${rows.map(([label, value]) => html`<tr><th>${label}</th><td>${value}</td></tr>`)}</tbody></table>`;
}

function timelineItem(entry: TimelineEntry): Html {
  const at = html`<time>${formatTime(entry.at)}</time>`;
  if (entry.kind === "transition") {
    const { event } = entry;
    const move = event.from ? `${event.from} → ${event.to}` : event.to;
    return html`<li data-test="transition">${at}<strong>${move.replaceAll("_", " ")}</strong>${event.reason ? html` — ${event.reason}` : ""}</li>`;
  }
  const { delivery } = entry;
  const tries = `${delivery.attempts} attempt${delivery.attempts === 1 ? "" : "s"}`;
  return html`<li data-test="delivery">${at}<strong>delivery to ${delivery.sink}</strong> (route ${delivery.route}): ${delivery.state}, ${tries}${delivery.lastError ? html` — <span class="error">${delivery.lastError}</span>` : ""}</li>`;
}

function resultSection(result: EnrichedRow, detail: LeadDetail): Html {
  const { [CHANGED_FIELD]: changed, ...fields } = result;
  return html`${valuesTable(fields, "result")}${changesSection(changed, detail)}`;
}

function changesSection(changed: unknown, detail: LeadDetail): Html | string {
  const previous = detail.previous
    ? html`<p>Previous version: ${leadLink(detail.previous.leadId)}, created ${formatTime(detail.previous.createdAt)}.</p>`
    : "";
  if (typeof changed !== "object" || changed === null || Array.isArray(changed)) return previous;
  const changes = Object.entries(changed as Record<string, { from?: unknown; to?: unknown }>);
  if (changes.length === 0) {
    return html`<h3>Since the previous version</h3>${previous}<p class="empty" data-test="no-changes">Nothing changed.</p>`;
  }
  return html`<h3>Since the previous version</h3>${previous}<table data-test="changes"><thead><tr><th>Field</th><th>Was</th><th>Is</th></tr></thead><tbody>
${changes.map(([field, change]) => html`<tr><td>${field}</td><td>${valueText(change?.from)}</td><td>${valueText(change?.to)}</td></tr>`)}
</tbody></table>`;
}

function valuesTable(values: Record<string, unknown>, test: string): Html {
  const entries = Object.entries(values);
  if (entries.length === 0) return html`<p class="empty">None.</p>`;
  return html`<table data-test="${test}s"><tbody>${entries.map(([name, value]) => html`<tr data-test="${test}"><th>${name}</th><td>${valueText(value)}</td></tr>`)}</tbody></table>`;
}

function leadLink(id: string): Html {
  return html`<a href="/ui/leads/${encodeURIComponent(id)}"><code>${id}</code></a>`;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}
