/**
 * Request bodies are read as UTF-8, JSON's own encoding (RFC 8259) and the
 * only one an HTML form's urlencoded post needs. A body that declares another
 * charset (`charset=utf-16`) would be read as garbage, so it is refused with
 * 415 before it is read, on every route.
 */
import type { FastifyInstance } from "fastify";
import { echoInput } from "../core/echo-input.js";
import { ClaypipeError } from "../core/errors.js";

const READABLE = new Set(["utf-8", "utf8", "us-ascii"]);

/** The charset parameter of a Content-Type header, lower-cased, or undefined when it has none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  for (const parameter of contentType.split(";").slice(1)) {
    const equals = parameter.indexOf("=");
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const value = parameter.slice(equals + 1).trim();
    const unquoted =
      value.length >= 2 && value.startsWith('"') && value.endsWith('"')
        ? value.slice(1, -1)
        : value;
    return unquoted.toLowerCase();
  }
  return undefined;
}

/** Makes every route refuse, with 415 `unsupported_charset`, a body declared in a charset other than UTF-8. */
export function refuseOtherCharsets(app: FastifyInstance): void {
  // After onRequest: a request that is not allowed in hears that first. Callback style: a
  // hook on every request costs no promise this way.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    const charset = charsetOf(request.headers["content-type"]);
    if (charset === undefined || READABLE.has(charset)) {
      done(null, payload);
      return;
    }
    done(
      new ClaypipeError(
        "unsupported_charset",
        `The body is declared as charset=${echoInput(charset)}; claypipe reads bodies as UTF-8 only.`,
        {
          hint: "Send the body encoded as UTF-8, with charset=utf-8 or no charset in the Content-Type.",
        },
      ),
    );
  });
}
