/**
 * How a web form is answered: a browser's urlencoded post with a 303 to the
 * form's success or error page (when `redirect` is set), anything else with
 * JSON; and the CORS headers that let a page's script read the answer.
 *
 * A success says only `{ "ok": true }`: a public form must not tell whether a
 * person was already known (a duplicate), nor a bot that its post was dropped.
 */
import type { FastifyReply } from "fastify";
import type { FormIntakeConfig } from "../../config/source-intake-schema.js";
import { type Problem, sendProblem } from "../problem.js";

export function answerFormSuccess(reply: FastifyReply, redirect: FormIntakeConfig["redirect"]) {
  if (redirect) return reply.code(303).header("location", redirect.success).send();
  return reply.code(202).send({ ok: true });
}

/**
 * A refusal: a 303 to the error page with `?error=<code>&field=<form field>` when
 * there is one, else the problem as JSON with `status`.
 */
export function answerFormProblem(
  reply: FastifyReply,
  redirect: FormIntakeConfig["redirect"],
  status: number,
  problem: Problem,
  field?: string,
) {
  if (redirect?.error === undefined) return sendProblem(reply, status, problem);
  const location = new URL(redirect.error);
  location.searchParams.set("error", problem.error);
  if (field) location.searchParams.set("field", field.slice(0, 100));
  return reply.code(303).header("location", location.toString()).send();
}

/** Lets the page's script read the answer; `origin` is the page's, undefined when the post had no Origin. */
export function setCorsHeaders(
  reply: FastifyReply,
  form: FormIntakeConfig,
  origin: string | undefined,
): void {
  if (form.allowedOrigins.includes("*")) {
    reply.header("access-control-allow-origin", "*");
    return;
  }
  // The answer depends on the Origin: caches must keep one per origin.
  reply.header("vary", "origin");
  if (origin !== undefined) reply.header("access-control-allow-origin", origin);
}

/** The preflight answer for a script's JSON post (allowed origins only). */
export function answerPreflight(reply: FastifyReply, requestedHeaders: string | undefined) {
  // No cookies or credentials are involved, so echoing the headers a page asks for is harmless.
  const headers =
    requestedHeaders !== undefined && isHeaderNameList(requestedHeaders)
      ? requestedHeaders
      : "content-type";
  return reply
    .code(204)
    .header("access-control-allow-methods", "POST")
    .header("access-control-allow-headers", headers)
    .header("access-control-max-age", "600")
    .send();
}

/** "Content-Type, X-Requested-With": names split at commas, each checked on its own (no backtracking). */
function isHeaderNameList(text: string): boolean {
  return text.split(",").every((name) => /^[\w-]+$/.test(name.trim()));
}
