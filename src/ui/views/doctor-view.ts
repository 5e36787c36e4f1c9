/**
 * Doctor: `claypipe doctor`'s report for the running config — each store,
 * queue, bus, Clay key, webhook and sink checked, then capacity and credits —
 * one line each, ok / warning / error with what to do. The checks reach the
 * network and take up to their timeout, so the page loads the report after it
 * shows (htmx), and at most one report runs at a time.
 */
import type { FastifyInstance } from "fastify";
import type { DoctorReport } from "../../doctor/doctor-report.js";
import { formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

const TIMEOUT_MS = 5000;

export function registerDoctorView(app: FastifyInstance, context: UiContext): void {
  const { config, pipeline, clock } = context;
  let running: Promise<{ at: number; report: DoctorReport }> | undefined;

  app.get("/ui/doctor", async (request, reply) => {
    const body = html`<p class="note">The same checks as <code>claypipe doctor</code>, for the config this process runs. Each reaches its service, for at most ${TIMEOUT_MS / 1000} s.</p>
<div id="doctor-report" hx-get="/ui/doctor/report" hx-trigger="load" data-test="doctor-report"><p>Running the checks…</p></div>`;
    return sendHtml(
      reply,
      page(
        { title: "Doctor", view: "doctor", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });

  app.get("/ui/doctor/report", async (_request, reply) => {
    running ??= import("../../doctor/run-doctor.js")
      .then(({ runDoctorOnRunning }) =>
        runDoctorOnRunning(config, { timeoutMs: TIMEOUT_MS, readStatus: () => pipeline.status() }),
      )
      .then((report) => ({ at: clock.now(), report }))
      .finally(() => {
        running = undefined;
      });
    const { at, report } = await running;
    return sendHtml(reply, reportTable(report, at));
  });
}

function reportTable(report: DoctorReport, at: number): Html {
  const counts = { ok: 0, warning: 0, error: 0 };
  for (const check of report.checks) counts[check.level]++;
  return html`<p>Checked ${formatTime(at)}: <span class="level-ok">${counts.ok} ok</span>, <span class="level-warning">${counts.warning} warnings</span>, <span class="level-error">${counts.error} errors</span>. <button class="secondary" hx-get="/ui/doctor/report" hx-target="#doctor-report">Check again</button></p>
<table class="wide"><thead><tr><th>Level</th><th>Group</th><th>Check</th><th>Found</th><th>What to do</th></tr></thead><tbody>
${report.checks.map(
  (check) =>
    html`<tr data-test="doctor-line"><td class="level-${check.level}">${check.level}</td><td>${check.group}</td><td>${check.name}</td><td>${check.found}</td><td>${check.hint ?? ""}</td></tr>`,
)}
</tbody></table>`;
}
