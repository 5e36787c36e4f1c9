/**
 * The dashboard's forms post urlencoded bodies; they are read into an object
 * whose repeated fields (a selection of ids) are arrays. JSON bodies keep the
 * server's own parser.
 */
import type { FastifyInstance } from "fastify";

export type FormBody = Record<string, string | string[]>;

export function parseFormBody(text: string): FormBody {
  const body: FormBody = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const earlier = body[name];
    if (earlier === undefined) body[name] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else body[name] = [earlier, value];
  }
  return body;
}

export function acceptFormBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, text, done) => done(null, parseFormBody(text as string)),
  );
}
