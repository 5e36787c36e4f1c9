/**
 * The login form: a person pastes one of the server's keys; claypipe answers
 * with a session cookie (HttpOnly, SameSite=Strict, under /ui) and never puts
 * the key itself in the browser. A wrong key is told plainly, after a short
 * pause that makes guessing slow.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionSigner } from "../ui-session.js";

const WRONG_KEY_PAUSE_MS = 500;

export function registerLoginView(
  app: FastifyInstance,
  context: UiContext,
  signer: SessionSigner,
): void {
  const { config, clock } = context;
  const enabled = config.server.apiKeys.length + config.server.readOnlyKeys.length > 0;

  app.get("/ui/login", async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    return sendPage(reply, 200, loginForm(next, enabled ? undefined : DISABLED));
  });

  app.post("/ui/login", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!enabled) return sendPage(reply, 503, loginForm(next, DISABLED));
    const key = typeof body.key === "string" ? body.key.trim() : "";
    if (key === "" || key.length > 1024 || signer.roleOf(key) === undefined) {
      await clock.sleep(WRONG_KEY_PAUSE_MS);
      return sendPage(
        reply,
        401,
        loginForm(
          next,
          "That key is not one of this server's keys (server.apiKeys or server.readOnlyKeys).",
        ),
      );
    }
    reply.header(
      "set-cookie",
      sessionCookie(request, signer.issue(key, clock.now()), SESSION_TTL_MS),
    );
    return reply.redirect(next, 303);
  });

  app.post("/ui/logout", async (request, reply) => {
    reply.header("set-cookie", sessionCookie(request, "", 0));
    return reply.redirect("/ui/login", 303);
  });
}

const DISABLED =
  "The dashboard is off: no keys are configured. Set server.apiKeys (admin) or server.readOnlyKeys from environment variables, and restart.";

function sendPage(reply: FastifyReply, status: number, body: ReturnType<typeof loginForm>) {
  return reply.code(status).type("text/html; charset=utf-8").send(body.text);
}

function loginForm(next: string, error?: string) {
  return page(
    { title: "Log in", view: "login" },
    html`<form method="post" action="/ui/login" class="login">
<p>Paste one of this server's API keys. Admin keys (<code>server.apiKeys</code>) can replay, purge and requeue; read-only keys (<code>server.readOnlyKeys</code>) can look.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${next}">
<button type="submit">Log in</button>
</form>`,
  );
}

/** Only a dashboard path is a place to go after logging in (no open redirect). */
function safeNext(value: unknown): string {
  if (typeof value !== "string" || value.length > 512 || hasControlOrBackslash(value)) return "/ui";
  return /^\/ui(?:[/?#]|$)/.test(value) && !value.startsWith("/ui//") ? value : "/ui";
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeMs: number): string {
  const secure = request.protocol === "https" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`;
}

/** A Location header cannot carry control characters, and browsers read `\\` as `/`. */
function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x5c) return true;
  }
  return false;
}
