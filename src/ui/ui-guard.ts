/**
 * Who may see and do what on the dashboard. Every page needs a session (a
 * browser without one is sent to the login form); every action (a POST) needs
 * the session's CSRF token and a same-origin request, and the actions that
 * change leads (replay, purge, requeue) need an admin key's session.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Clock } from "../core/clock.js";
import { SESSION_COOKIE, type SessionSigner, type UiSession } from "./ui-session.js";

declare module "fastify" {
  interface FastifyRequest {
    uiSession?: UiSession;
  }
}

/** The value of one cookie in a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    if (equals !== -1 && pair.slice(0, equals).trim() === name)
      return pair.slice(equals + 1).trim();
  }
  return undefined;
}

export interface UiGuard {
  /** The request's session, when its cookie carries a valid one. */
  readSession(request: FastifyRequest): UiSession | undefined;
  /** onRequest: a session, or a redirect to the login form (pages) or 401 (fragments, streams). */
  requireSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** preHandler for actions: a same-origin request with the session's CSRF token, from an admin when `admin`. */
  requireAction(admin: boolean): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function createUiGuard(signer: SessionSigner, clock: Clock): UiGuard {
  const readSession = (request: FastifyRequest) =>
    signer.open(readCookie(request.headers.cookie, SESSION_COOKIE), clock.now());
  return {
    readSession,
    async requireSession(request, reply) {
      const session = readSession(request);
      if (session) {
        request.uiSession = session;
        return;
      }
      if (request.method === "GET" && request.headers["hx-request"] === undefined) {
        const next = encodeURIComponent(request.url.slice(0, 512));
        await reply.redirect(`/ui/login?next=${next}`, 303);
        return;
      }
      // htmx follows this header to the login form instead of swapping an error in.
      reply.header("hx-redirect", "/ui/login");
      await reply
        .code(401)
        .type("text/plain; charset=utf-8")
        .send("Log in again: the session ended.");
    },
    requireAction(admin) {
      return async (request, reply) => {
        const session = request.uiSession;
        const body = request.body as Record<string, unknown> | undefined;
        const token = request.headers["x-csrf-token"] ?? body?._csrf;
        if (
          !session ||
          !sameOrigin(request) ||
          typeof token !== "string" ||
          !signer.checkCsrf(session, token)
        ) {
          await reply
            .code(403)
            .type("text/plain; charset=utf-8")
            .send(
              "Refused: this action did not come from a dashboard page (CSRF check). Reload the page and try again.",
            );
          return;
        }
        if (admin && session.role !== "admin") {
          await reply
            .code(403)
            .type("text/plain; charset=utf-8")
            .send(
              "Refused: a read-only key cannot change leads. Log in with a key from server.apiKeys.",
            );
        }
      };
    },
  };
}

/** A browser names the page a request came from; a request from another site is refused. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
