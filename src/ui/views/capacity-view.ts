/**
 * Capacity: each table's rows out of what claypipe lets it reach (Clay's
 * 50,000 less the margin) and each webhook's submissions out of its lifetime
 * cap, with when each is full at the last hour's rate and what to do then.
 */
import type { FastifyInstance } from "fastify";
import type { PoolCapacity } from "../../clay/webhook-pool.js";
import { formatDuration, formatNumber } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import { ratePerHour, type StatusSample } from "../status-sampler.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import { bar } from "./credits-view.js";

export function registerCapacityView(app: FastifyInstance, context: UiContext): void {
  const { sampler, config } = context;
  app.get("/ui/capacity", async (request, reply) => {
    const { status } = await sampler.latest();
    const samples = sampler.samples();
    const body =
      status.capacity.length === 0
        ? html`<p class="empty">No table is configured in <code>clay.workspaces[].tables</code>.</p>`
        : html`${status.capacity.map(({ workspace, table, pool }) => tableSection(workspace, table, pool, samples))}`;
    return sendHtml(
      reply,
      page(
        { title: "Capacity", view: "capacity", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });
}

function tableSection(
  workspace: string,
  table: string,
  pool: PoolCapacity,
  samples: readonly StatusSample[],
): Html {
  const poolAt = (sample: StatusSample["status"]) =>
    sample.capacity.find((c) => c.workspace === workspace && c.table === table)?.pool;
  const rowRate = ratePerHour(samples, (s) => poolAt(s)?.table.used);
  const open = pool.webhooks.filter((webhook) => !webhook.retired && !webhook.unusable);
  const webhookRoom = open.reduce((sum, webhook) => sum + webhook.remaining, 0);
  return html`<section class="capacity" data-test="capacity-${table}">
<h2>${workspace} / ${table}</h2>
<table class="wide"><thead><tr><th></th><th>Used</th><th></th><th>Rate (last hour)</th><th>Full in</th><th>When it is full</th></tr></thead><tbody>
<tr><td>Table rows</td><td class="num">${formatNumber(pool.table.used)} / ${formatNumber(pool.table.limit)}</td><td>${bar(pool.table.used, pool.table.limit)}</td><td>${perHour(rowRate)}</td><td>${fullIn(pool.table.remaining, rowRate)}</td><td>Add a table in Clay and list it under this workspace's <code>tables</code>; sources then fill it once this one is full.</td></tr>
${pool.webhooks.map((webhook) => {
  const rate = ratePerHour(
    samples,
    (s) => poolAt(s)?.webhooks.find((w) => w.index === webhook.index)?.used,
  );
  const state = webhook.unusable ? "refused by Clay" : webhook.retired ? "retired" : "";
  return html`<tr><td>webhook #${webhook.index}${state ? html` <span class="badge bad">${state}</span>` : ""}</td><td class="num">${formatNumber(webhook.used)} / ${formatNumber(webhook.limit)}</td><td>${bar(webhook.used, webhook.limit)}</td><td>${perHour(rate)}</td><td>${fullIn(webhook.remaining, rate)}</td><td>Add a webhook source to this table in Clay and append its URL to <code>webhooks</code>; claypipe moves on to it.</td></tr>`;
})}
</tbody></table>
<p class="note">${formatNumber(webhookRoom)} submissions left across ${open.length} usable webhook${open.length === 1 ? "" : "s"}.</p>
</section>`;
}

function perHour(rate: number | undefined): string {
  return rate === undefined ? "—" : `${formatNumber(rate)}/h`;
}

function fullIn(remaining: number, rate: number | undefined): Html {
  if (remaining <= 0) return html`<span class="badge bad">full</span>`;
  if (rate === undefined) return html`<span class="note">measuring</span>`;
  if (rate <= 0) return html`not at this rate`;
  const ms = (remaining / rate) * 3_600_000;
  return html`<span class="badge${ms < 86_400_000 ? " warn" : ""}">${formatDuration(ms)}</span>`;
}
