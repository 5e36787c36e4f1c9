/** Answers with a rendered page or fragment. */
import type { FastifyReply } from "fastify";
import type { Html } from "./html.js";

export function sendHtml(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(body.text);
}
