/**
 * Config: the config this process runs, with every secret replaced (API keys,
 * tokens, connection strings: whatever sits under a secret key), the pre-send
 * rules and the routing rules as tables.
 */
import type { FastifyInstance } from "fastify";
import { stringify } from "yaml";
import { redactSecrets } from "../../config/secret-paths.js";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

export function registerConfigView(app: FastifyInstance, context: UiContext): void {
  const { config } = context;
  // The config does not change while the process runs: rendered once.
  const shown = stringify(redactSecrets(config), { lineWidth: 0 });
  const { routes, enrichIf } = config;

  app.get("/ui/config", async (request, reply) => {
    const body = html`<h2>Pre-send rules (<code>enrichIf</code>)</h2>
${
  enrichIf.length === 0
    ? html`<p class="note">None: every accepted lead is sent to Clay.</p>`
    : html`<table class="wide"><thead><tr><th>Rule</th><th>Skips a lead when</th></tr></thead><tbody>${enrichIf.map(
        (rule) => html`<tr><td>${rule.name}</td><td><code>${rule.when}</code></td></tr>`,
      )}</tbody></table>`
}
<h2>Routing rules (mode: ${routes.mode})</h2>
<table class="wide" data-test="routes"><thead><tr><th>Route</th><th>When</th><th>On</th><th>To</th></tr></thead><tbody>
${routes.rules.map(
  (rule) =>
    html`<tr><td>${rule.name}</td><td><code>${rule.when}</code></td><td>${rule.on.join(", ")}</td><td>${rule.to.join(", ")}</td></tr>`,
)}
<tr><td>default</td><td class="note">no rule matched</td><td>enriched</td><td>${routes.default.length > 0 ? routes.default.join(", ") : "nowhere"}</td></tr>
</tbody></table>
<h2>The running config</h2>
<p class="note">Secrets are replaced; the values come from this process's environment at start.</p>
<pre data-test="config">${shown}</pre>`;
    return sendHtml(
      reply,
      page(
        { title: "Config", view: "config", session: request.uiSession, tier: config.tier },
        body,
      ),
    );
  });
}
