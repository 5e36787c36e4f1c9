/**
 * Bearer API keys for the intake and admin API (`server.apiKeys`). Keys are
 * compared in constant time: each is hashed to a fixed length first, and every
 * configured key is compared, so neither the length nor the position of a
 * match leaks through timing.
 *
 * With no key configured the API is off: its routes answer 503 and say to set
 * `server.apiKeys`, rather than run open. Callbacks, health and metrics do not
 * use these keys.
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { requireSet } from "../config/unset-variable.js";
import { sendProblem } from "./problem.js";

export type ApiKeyCheck = "ok" | "missing" | "wrong" | "disabled";

/** Checks an `Authorization` header value against the configured keys. */
export function createApiKeyVerifier(
  keys: readonly string[],
): (authorization: string | undefined) => ApiKeyCheck {
  const digests = keys.map(digest);
  return (authorization) => {
    if (digests.length === 0) return "disabled";
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
    if (!match) return "missing";
    const presented = digest(match[1]!);
    let matched = false;
    for (const key of digests) matched = timingSafeEqual(key, presented) || matched;
    return matched ? "ok" : "wrong";
  };
}

// One-shot hash: no Hash object per request.
function digest(text: string): Buffer {
  return hash("sha256", text, "buffer");
}

/** An onRequest hook that lets only requests with a valid key through (before any body is read). */
export function requireApiKey(keys: readonly string[]) {
  const verify = createApiKeyVerifier(keys.map((key) => requireSet(key, "server.apiKeys")));
  // Callback style, so a request that passes costs no promise; one that does not is
  // answered here and `done` is never called, as Fastify expects of an early reply.
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const check = verify(request.headers.authorization);
    if (check === "ok") {
      done();
      return;
    }
    if (check === "disabled") {
      sendProblem(reply, 503, {
        error: "api_disabled",
        message: "The intake and admin API is off: no API keys are configured.",
        hint: "Set server.apiKeys to one or more keys of 16+ random characters, read from an environment variable, and restart.",
      });
      return;
    }
    reply.header("www-authenticate", 'Bearer realm="claypipe"');
    sendProblem(reply, 401, {
      error: "unauthorized",
      message: check === "missing" ? "No API key was sent." : "The API key is not valid.",
      hint: "Send the header `Authorization: Bearer <key>` with one of the keys in server.apiKeys.",
    });
  };
}
