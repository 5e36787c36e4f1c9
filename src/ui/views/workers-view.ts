/**
 * Workers: the processes running this pipeline, as their beats (every 5 s)
 * last said — role, machine, pid, when they started and were last seen — each
 * with the URL of its probes (/healthz, /readyz, /metrics) when it has one.
 * A killed process drops out 15 s after its last beat.
 */
import type { FastifyInstance } from "fastify";
import { formatDuration, formatTime } from "../format.js";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

export function registerWorkersView(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config, clock } = context;
  app.get("/ui/workers", async (request, reply) => {
    const workers = await pipeline.workers();
    const now = clock.now();
    const body =
      workers.length === 0
        ? html`<p class="empty">No process is beating right now.</p>`
        : html`<p class="note">${workers.length} live process${workers.length === 1 ? "" : "es"}; a process that stops beating drops out after 15 s.</p>
<table class="wide"><thead><tr><th>Role</th><th>Host</th><th>PID</th><th>Up for</th><th>Last seen</th><th>Probes</th></tr></thead><tbody>
${workers.map(
  (worker) =>
    html`<tr data-test="worker"><td>${worker.role}</td><td>${worker.host}</td><td class="num">${worker.pid}</td><td>${formatDuration(now - worker.startedAt)}</td><td>${formatTime(worker.seenAt)}</td><td>${worker.opsUrl ? html`<code>${worker.opsUrl}/healthz</code>, <code>/metrics</code>` : html`<span class="note">no ops port (server.opsPort)</span>`}</td></tr>`,
)}
</tbody></table>`;
    return sendHtml(
      reply,
      page(
        { title: "Workers", view: "workers", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });
}
