/**
 * A dashboard address that is no page: a page saying so, with the navigation,
 * rather than the HTTP API's JSON answer that lists API routes. It answers
 * without a session too (then without the navigation), so no path is told
 * apart by whether it would need a login.
 */
import type { FastifyInstance } from "fastify";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";

export function registerNotFoundView(app: FastifyInstance, context: UiContext): void {
  app.get("/ui/*", async (request, reply) => {
    const body = html`<p data-test="not-found">The dashboard has no page at ${request.url.split("?")[0]?.slice(0, 200) ?? ""}. <a href="/ui">The overview</a> is the start.</p>`;
    const options = {
      title: "No such page",
      view: "not_found" as const,
      session: context.guard.readSession(request),
      tier: context.config.tier,
    };
    return sendHtml(reply, page(options, body), 404);
  });
}
