/**
 * Waiting: the leads deferred (why, and when they are looked at again),
 * grouped and listed a page at a time, and the leads awaiting a callback past
 * their deadline, each with how long overdue and what the deadline sweep will
 * do to it. Admins requeue deferred leads now and run the sweep now
 * (waiting-actions.ts).
 */
import type { FastifyInstance } from "fastify";
import type { DeferredGroup, OverdueLead } from "../../pipeline/pipeline-api.js";
import { WAIT_KINDS, type WaitKind } from "../../pipeline/wait-reasons.js";
import type { StoredLead } from "../../store/store.js";
import { readFlash } from "../flash.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import type { UiSession } from "../ui-session.js";
import { first } from "./dlq-filter.js";
import { leadLink, leadWho } from "./lead-cells.js";
import { listOrIssue } from "./list-or-issue.js";

const PAGE = 50;

const KIND_LABELS: Record<WaitKind, string> = {
  credit_cap: "a credit cap is reached",
  no_capacity: "no capacity (webhook or table rows)",
};

export function readWaitKind(value: unknown): WaitKind | undefined {
  const text = first(value);
  return WAIT_KINDS.find((kind) => kind === text);
}

export function registerWaitingView(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config, clock } = context;
  app.get("/ui/waiting", async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const reason = readWaitKind(query.reason);
    const deferredCursor = first(query.cursor);
    const overdueCursor = first(query.overdueCursor);
    const session = request.uiSession;
    const admin = session?.role === "admin" ? session : undefined;
    const [groups, deferred, overdue] = await Promise.all([
      pipeline.waiting.deferredGroups(),
      listOrIssue(() =>
        pipeline.waiting.deferred({
          ...(reason ? { reason } : {}),
          limit: PAGE,
          ...(deferredCursor ? { cursor: deferredCursor } : {}),
        }),
      ),
      listOrIssue(() =>
        pipeline.waiting.overdue({
          limit: PAGE,
          ...(overdueCursor ? { cursor: overdueCursor } : {}),
        }),
      ),
    ]);
    const now = clock.now();
    const body = html`${readFlash(query)}
${admin ? "" : html`<p class="note">Your key is read-only: requeueing and sweeping need a key from <code>server.apiKeys</code>.</p>`}
<h2>Deferred</h2>
${groupsTable(groups, now, admin, context.config.sender.capacityCheck)}
<form class="filters" method="get" action="/ui/waiting"><label>Why<select name="reason"><option value="">any</option>${WAIT_KINDS.map((kind) => html`<option value="${kind}"${kind === reason ? html` selected` : ""}>${KIND_LABELS[kind]}</option>`)}</select></label><button type="submit">Show</button></form>
${issue(deferred.issue)}
${deferred.page ? deferredTable(deferred.page.leads) : ""}
${pager("cursor", deferredCursor, deferred.page?.nextCursor ?? null, reason ? { reason } : {})}
<h2>Awaiting a callback past the deadline</h2>
${sweepNote(context)}
${admin ? html`<form method="post" action="/ui/waiting/sweep" class="actions"><input type="hidden" name="_csrf" value="${admin.csrfToken}"><button type="submit" data-test="sweep">Run the deadline sweep now</button></form>` : ""}
${issue(overdue.issue)}
${overdue.page ? overdueTable(overdue.page.leads) : ""}
${pager("overdueCursor", overdueCursor, overdue.page?.nextCursor ?? null, {})}`;
    return sendHtml(
      reply,
      page({ title: "Waiting", view: "waiting", session, tier: config.tier }, body),
    );
  });
}

function issue(text: string | undefined): Html {
  return text ? html`<p class="error">${text}</p>` : html``;
}

function groupsTable(
  groups: DeferredGroup[],
  now: number,
  admin: UiSession | undefined,
  capacityCheckMs: number,
): Html {
  if (groups.length === 0)
    return html`<p class="empty" data-test="no-deferred">No lead is deferred.</p>`;
  const requeue = (kind: WaitKind | undefined, label: string) =>
    admin
      ? html`<form method="post" action="/ui/waiting/requeue" class="inline"><input type="hidden" name="_csrf" value="${admin.csrfToken}">${kind ? html`<input type="hidden" name="reason" value="${kind}">` : ""}<button type="submit" class="secondary" data-test="requeue-${kind ?? "all"}">${label}</button></form>`
      : html``;
  return html`<table class="wide"><thead><tr><th>Why</th><th class="num">Leads</th><th>Resume</th><th></th></tr></thead><tbody>
${groups.map(
  (group) =>
    html`<tr data-test="deferred-group" data-kind="${group.kind}"><td>${KIND_LABELS[group.kind]}</td><td class="num">${formatNumber(group.count)}</td><td>${resume(group, now, capacityCheckMs)}</td><td>${requeue(group.kind, "Requeue now")}</td></tr>`,
)}
</tbody></table>
<div class="actions">${requeue(undefined, "Requeue every deferred lead now")}</div>
<p class="note">A requeued lead goes to the sender at once; a credit cap is checked again there, so a cap still reached defers it again.</p>`;
}

function resume(group: DeferredGroup, now: number, capacityCheckMs: number): string {
  if (group.kind === "credit_cap") {
    return `at ${formatTime(group.resumesAt)}, when the cap's next window starts (in ${formatDuration(group.resumesAt - now)})`;
  }
  return `when the table has a webhook and rows to spare: checked every ${formatDuration(capacityCheckMs)}, next from ${formatTime(group.resumesAt)}`;
}

function deferredTable(leads: StoredLead[]): Html {
  if (leads.length === 0) return html``;
  return html`<table class="wide"><thead><tr><th>Lead</th><th>Who</th><th>Source</th><th>Table</th><th>Why</th><th>Looked at again</th></tr></thead><tbody>
${leads.map(
  (lead) =>
    html`<tr data-test="deferred-row" data-id="${lead.id}"><td>${leadLink(lead.id)}</td><td>${leadWho(lead)}</td><td>${lead.source}</td><td>${lead.workspace}/${lead.table}</td><td>${lead.reason ?? ""}</td><td>${formatTime(lead.availableAt)}</td></tr>`,
)}
</tbody></table>`;
}

/** What the deadline sweep does, as deadline-step.ts does it with this config. */
function sweepNote(context: UiContext): Html {
  const { config } = context;
  const reconciling = config.clay.workspaces.some((workspace) => workspace.publicApi);
  const retryOnce = config.callbacks?.retryOnce ?? false;
  return html`<p class="note" data-test="sweep-note">Every second, where the sender runs, the deadline sweep takes each lead whose callback is overdue: ${reconciling ? "it first asks Clay's public API for the lead's row (workspaces with publicApi, tables with an id) and takes a finished row in as its callback, or looks again later when Clay is busy; otherwise " : ""}${retryOnce ? "it sends again a lead it has sent only once, and moves a lead sent twice to the DLQ as no_callback" : "it moves the lead to the DLQ as no_callback (callbacks.retryOnce is off)"}.</p>`;
}

function overdueTable(leads: OverdueLead[]): Html {
  if (leads.length === 0)
    return html`<p class="empty" data-test="no-overdue">No lead is awaiting a callback past its deadline.</p>`;
  return html`<table class="wide"><thead><tr><th>Lead</th><th>Who</th><th class="num">Send</th><th>Deadline</th><th>Overdue by</th><th>The sweep will</th></tr></thead><tbody>
${leads.map(
  ({ lead, overdueMs, reconciles, otherwise }) =>
    html`<tr data-test="overdue-row" data-id="${lead.id}"><td>${leadLink(lead.id)}</td><td>${leadWho(lead)}</td><td class="num">${formatNumber(lead.attempt)}</td><td>${formatTime(lead.callbackDeadline ?? Number.NaN)}</td><td>${formatDuration(overdueMs)}</td><td>${reconciles ? "ask Clay for its row, else " : ""}${otherwise === "resend" ? "send it once more" : "move it to the DLQ (no_callback)"}</td></tr>`,
)}
</tbody></table>`;
}

function pager(
  name: string,
  cursor: string | undefined,
  next: string | null,
  keep: Record<string, string>,
): Html {
  const url = (more: Record<string, string>) => {
    const query = new URLSearchParams({ ...keep, ...more }).toString();
    return query ? `/ui/waiting?${query}` : "/ui/waiting";
  };
  return html`<nav class="pager">${cursor ? html`<a href="${url({})}">First page</a>` : ""} ${next ? html`<a href="${url({ [name]: next })}" data-test="next-${name}">Next page</a>` : ""}</nav>`;
}
