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
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
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

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** An onRequest hook that lets only requests with a valid key through (before any body is read). */
export function requireApiKey(keys: readonly string[]) {
  const verify = createApiKeyVerifier(keys);
  // Answering early from an async hook means returning the reply.
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const check = verify(request.headers.authorization);
    if (check === "ok") return undefined;
    if (check === "disabled") {
      return sendProblem(reply, 503, {
        error: "api_disabled",
        message: "The intake and admin API is off: no API keys are configured.",
        hint: "Set server.apiKeys to one or more keys of 16+ random characters, read from an environment variable, and restart.",
      });
    }
    reply.header("www-authenticate", 'Bearer realm="claypipe"');
    return sendProblem(reply, 401, {
      error: "unauthorized",
      message: check === "missing" ? "No API key was sent." : "The API key is not valid.",
      hint: "Send the header `Authorization: Bearer <key>` with one of the keys in server.apiKeys.",
    });
  };
}
