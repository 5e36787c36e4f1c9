/**
 * Request bodies: JSON only, parsed once at the boundary. Beyond JSON syntax it
 * refuses what would hurt later stages: keys that poison prototypes, and nesting
 * so deep that serializing it again (to the store, into a response) would blow
 * the stack. No lead or Clay row comes close to the depth limit.
 */
import type { FastifyInstance } from "fastify";
import { ClaypipeError } from "../core/errors.js";

/** Deepest nesting a body may have; a batch of leads needs 3, an enriched Clay row a handful. */
export const MAX_JSON_DEPTH = 64;

/** Parses a JSON body; throws an `input_unreadable` ClaypipeError saying what is wrong. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") {
    throw new ClaypipeError("input_unreadable", "The body is empty.", {
      hint: "Send a JSON body.",
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ClaypipeError(
      "input_unreadable",
      `The body is not valid JSON: ${(error as Error).message}.`,
      {
        hint: "Check the JSON syntax: double-quoted keys and strings, commas between items, closed brackets.",
      },
    );
  }
  checkShape(value);
  return value;
}

// Iterative on purpose: the point is to survive bodies nested past the stack's depth.
function checkShape(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new ClaypipeError(
        "input_unreadable",
        `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
        {
          hint: "Flatten the data: leads are flat objects of fields, Clay rows hold a few levels at most.",
        },
      );
    }
    if (!Array.isArray(value)) refusePrototypeKeys(value as Record<string, unknown>);
    // Only objects and arrays can nest or carry keys; a flat row pushes nothing.
    for (const child of Object.values(value)) {
      if (typeof child === "object" && child !== null)
        stack.push({ value: child, depth: depth + 1 });
    }
  }
}

function refusePrototypeKeys(object: Record<string, unknown>): void {
  const constructorValue = Object.hasOwn(object, "constructor") ? object.constructor : undefined;
  const poisoned =
    Object.hasOwn(object, "__proto__") ||
    (typeof constructorValue === "object" &&
      constructorValue !== null &&
      Object.hasOwn(constructorValue, "prototype"));
  if (poisoned) {
    throw new ClaypipeError(
      "input_unreadable",
      "The body contains a __proto__ key or a constructor.prototype key.",
      {
        hint: "Rename those keys: they can alter objects' prototypes, so they are refused.",
      },
    );
  }
}

/**
 * Makes `app` read `application/json` bodies with parseJsonBody and refuse every
 * other content type with 415 (Fastify's plain-text parser is removed).
 */
export function acceptJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseWith);
}

/** Reads any body as JSON, whatever its content type (for senders whose headers we do not control). */
export function readAnyBodyAsJson(scope: FastifyInstance): void {
  scope.addContentTypeParser("*", { parseAs: "string" }, parseWith);
}

function parseWith(
  _request: unknown,
  body: string | Buffer,
  done: (error: Error | null, value?: unknown) => void,
): void {
  try {
    done(null, parseJsonBody(String(body)));
  } catch (error) {
    done(error as Error, undefined);
  }
}
