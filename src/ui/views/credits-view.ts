/**
 * Credits: what each workspace and source burnt in the current day and month
 * against its caps, when each cap will be reached at the last hour's rate,
 * the leads a cap holds, and what dedupe and the pre-send rules saved.
 */
import type { FastifyInstance } from "fastify";
import type { PipelineStatus } from "../../pipeline/pipeline-api.js";
import type { Credits } from "../../store/store.js";
import { formatDuration, formatNumber, formatPercent, formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import { ratePerHour, type StatusSample } from "../status-sampler.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

const METERS = ["actions", "data"] as const;

export function registerCreditsView(app: FastifyInstance, context: UiContext): void {
  const { sampler, config, clock } = context;
  app.get("/ui/credits", async (request, reply) => {
    const { status } = await sampler.latest();
    const now = clock.now();
    const body = html`${capsTable(status, sampler.samples(), now)}
<section class="panels">
<div class="panel"><h2>Saved by dedupe</h2><p data-test="saved-dedupe">${credits(status.creditsSaved)}</p><p class="note">The estimated cost of each duplicate served from an earlier result.</p></div>
<div class="panel"><h2>Saved by pre-send rules</h2><p data-test="saved-rules">${credits(status.creditsSavedByRules)}</p><p class="note">What the leads <code>enrichIf</code> keeps skipped would have cost.</p></div>
</section>
${holdsTable(status)}`;
    return sendHtml(
      reply,
      page(
        { title: "Credits", view: "credits", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });
}

function capsTable(status: PipelineStatus, samples: readonly StatusSample[], now: number): Html {
  if (status.credits.length === 0) {
    return html`<p class="empty">No credit caps are set, and claypipe counts credits only under caps. Set <code>credits.daily</code> or <code>credits.monthly</code> (actions, data) on a workspace in <code>clay.workspaces</code> or on a source, and restart.</p>`;
  }
  const rows = status.credits.flatMap((cap) =>
    METERS.flatMap((meter) => {
      const limit = cap.limit[meter];
      if (limit === undefined) return [];
      const used = cap.used[meter];
      const rate = ratePerHour(
        samples,
        (s) => s.credits.find((c) => c.scope === cap.scope && c.window === cap.window)?.used[meter],
      );
      return [
        html`<tr data-test="cap-row"><td>${cap.scope}</td><td>${cap.window}</td><td>${meter}</td><td class="num">${formatNumber(used)} / ${formatNumber(limit)}</td><td>${bar(used, limit)}</td><td>${rate === undefined ? "—" : `${formatNumber(rate)}/h`}</td><td>${projection(used, limit, rate, windowEnd(cap.window), now)}</td></tr>`,
      ];
    }),
  );
  return html`<table class="wide"><thead><tr><th>Scope</th><th>Window</th><th>Meter</th><th>Used</th><th></th><th>Burn (last hour)</th><th>Cap reached</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function projection(
  used: number,
  limit: number,
  rate: number | undefined,
  end: number | undefined,
  now: number,
): Html {
  if (used >= limit)
    return html`<span class="badge bad">reached: leads wait for the next window</span>`;
  if (rate === undefined)
    return html`<span class="note">measuring (needs a minute of samples)</span>`;
  if (rate <= 0) return html`not at this rate`;
  const at = now + ((limit - used) / rate) * 3_600_000;
  if (end !== undefined && at >= end) return html`not before the window ends`;
  return html`<span class="badge warn">in ${formatDuration(at - now)}</span> (${formatTime(at)})`;
}

/** When a window key ("day:2026-12-04", "month:2026-12") ends, in ms UTC. */
function windowEnd(key: string): number | undefined {
  const [kind, date] = key.split(":");
  const parts = (date ?? "").split("-").map(Number);
  if (kind === "day" && parts.length === 3)
    return Date.UTC(parts[0]!, parts[1]! - 1, parts[2]! + 1);
  if (kind === "month" && parts.length === 2) return Date.UTC(parts[0]!, parts[1]!, 1);
  return undefined;
}

function holdsTable(status: PipelineStatus): Html {
  if (status.creditHolds.length === 0)
    return html`<p class="note">No lead is held by a credit cap.</p>`;
  return html`<h2>Leads held by a cap</h2><table><thead><tr><th>Waiting</th><th>Resume at</th><th>Caps</th></tr></thead><tbody>
${status.creditHolds.map((hold) => html`<tr><td>${formatNumber(hold.waiting)}</td><td>${hold.resumesAt}</td><td>${hold.caps.map((cap) => cap.scope).join(", ")}</td></tr>`)}
</tbody></table>`;
}

export function bar(used: number, limit: number): Html {
  const share = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  const level = share >= 100 ? "bad" : share >= 80 ? "warn" : "ok";
  return html`<meter class="${level}" min="0" max="100" low="80" high="99" optimum="0" value="${share}" title="${formatPercent(used, limit)}">${share}%</meter>`;
}

function credits(value: Credits): string {
  return `${formatNumber(value.actions)} actions, ${formatNumber(value.data)} data credits`;
}
