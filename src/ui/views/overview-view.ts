/**
 * Overview: leads by state now and over the last hour, breakers per
 * workspace, the queue's backlog or the bus's lag, and the DLQ — kept live by
 * server-sent events (/ui/stream): the figures are swapped in by htmx, the
 * charts updated by ui.js, without a page reload.
 */
import type { FastifyInstance } from "fastify";
import { LEAD_STATES } from "../../core/lead-state.js";
import type { PipelineStatus } from "../../pipeline/pipeline-api.js";
import { formatNumber, formatTime } from "../format.js";
import { type Html, html, jsonForScript } from "../html.js";
import { page } from "../layout.js";
import { overviewSeries } from "../overview-series.js";
import type { StatusSample } from "../status-sampler.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

export function registerOverviewView(app: FastifyInstance, context: UiContext): void {
  const { sampler, config } = context;
  app.get("/ui", async (request, reply) => {
    const sample = await sampler.latest();
    const body = html`<div hx-ext="sse" sse-connect="/ui/stream">
<div id="overview" sse-swap="overview">${overviewFigures(sample)}</div>
<div id="series-feed" sse-swap="series" hx-swap="none"></div>
</div>
<section class="charts">
<figure><figcaption>Leads by state</figcaption><div class="chart" id="chart-states" data-test="chart-states"></div></figure>
<figure><figcaption>Per minute: sent to Clay, 429s, callbacks, delivered, dead</figcaption><div class="chart" id="chart-rates" data-test="chart-rates"></div></figure>
</section>
<script type="application/json" id="series-data">${jsonForScript(overviewSeries(sampler.samples()))}</script>`;
    return sendHtml(
      reply,
      page(
        { title: "Overview", view: "overview", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });
}

/** The figures part of the overview: what the live stream swaps in. */
export function overviewFigures({ at, status }: StatusSample): Html {
  return html`<p class="updated">Updated <time data-test="updated">${formatTime(at)}</time></p>
<section class="tiles" aria-label="Leads by state">
${LEAD_STATES.map(
  (state) =>
    html`<a class="tile state-${state}" href="/ui/leads?state=${state}"><span class="label">${state.replaceAll("_", " ")}</span><span class="value" data-test="state-${state}">${formatNumber(status.states[state])}</span></a>`,
)}
</section>
<section class="panels">
${breakersPanel(status)}
${backlogPanel(status)}
<div class="panel"><h2>Dead letters</h2><p><a href="/ui/dlq" data-test="dlq-leads">${formatNumber(status.dlq.leads)} leads</a>, <a href="/ui/dlq?kind=deliveries">${formatNumber(status.dlq.deliveries)} sink deliveries</a></p></div>
</section>`;
}

function breakersPanel(status: PipelineStatus): Html {
  return html`<div class="panel"><h2>Circuit breakers</h2>
${
  status.breakers.length === 0
    ? html`<p>No workspace has sent yet.</p>`
    : html`<ul>${status.breakers.map(
        ({ workspace, state }) =>
          html`<li>${workspace}: <span class="badge breaker-${state}">${state.replace("_", "-")}</span></li>`,
      )}</ul>`
}</div>`;
}

function backlogPanel(status: PipelineStatus): Html {
  if (status.queues.length > 0) {
    return html`<div class="panel"><h2>Queue backlog</h2><table><thead><tr><th>Workspace</th><th>Waiting</th><th>Active</th><th>Delayed</th></tr></thead><tbody>
${status.queues.map((queue) => html`<tr><td>${queue.workspace}</td><td>${formatNumber(queue.waiting)}</td><td>${formatNumber(queue.active)}</td><td>${formatNumber(queue.delayed)}</td></tr>`)}
</tbody></table></div>`;
  }
  if (status.busLag.length > 0) {
    return html`<div class="panel"><h2>Bus lag</h2><table><thead><tr><th>Topic</th><th>Group</th><th>Partition</th><th>Pending</th></tr></thead><tbody>
${status.busLag.map((lag) => html`<tr><td>${lag.topic}</td><td>${lag.group}</td><td>${lag.partition}</td><td>${formatNumber(lag.pending)}</td></tr>`)}
</tbody></table></div>`;
  }
  const outbox = status.states.queued + status.states.retrying;
  return html`<div class="panel"><h2>Outbox</h2><p>${formatNumber(outbox)} leads wait for the sender (queued or retrying).</p></div>`;
}
