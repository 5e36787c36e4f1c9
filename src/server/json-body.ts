/**
 * Request bodies: JSON only, parsed once at the boundary. Beyond JSON syntax it
 * refuses what would hurt later stages: keys that poison prototypes, nesting
 * so deep that serializing it again (to the store, into a response) would blow
 * the stack, and numbers too large for a double (`1e400` parses to Infinity,
 * which JSON stores as null: the value would be lost without a word). No lead
 * or Clay row comes close to the depth limit.
 */
import type { FastifyInstance } from "fastify";
import { echoInput } from "../core/echo-input.js";
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

/** A value met while walking a body, with how it was reached (kept to name a path only on error). */
interface Visit {
  value: unknown;
  depth: number;
  key?: string;
  parent?: Visit;
}

// Iterative on purpose: the point is to survive bodies nested past the stack's depth.
function checkShape(root: unknown): void {
  if (typeof root === "number" && !Number.isFinite(root)) refuseHugeNumber("");
  const stack: Visit[] = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
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
    const object = value as Record<string, unknown>;
    if (!Array.isArray(value)) refusePrototypeKeys(object);
    // Only objects and arrays can nest or carry keys; a flat row pushes nothing.
    for (const key of Object.keys(object)) {
      const child = object[key];
      if (typeof child === "number" && !Number.isFinite(child)) {
        refuseHugeNumber(pathOf({ value: child, depth, key, parent: visit }));
      }
      if (typeof child === "object" && child !== null) {
        stack.push({ value: child, depth: depth + 1, key, parent: visit });
      }
    }
  }
}

/** "revenue.usd", "0.score": the keys from the body's top down to `visit`. */
function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse().join(".");
}

function refuseHugeNumber(path: string): never {
  const where = path === "" ? "" : ` at ${JSON.stringify(echoInput(path))}`;
  throw new ClaypipeError(
    "input_unreadable",
    `The body has a number beyond what JSON numbers hold (about ±1.8e308)${where}; it would be stored as null.`,
    { hint: 'Send a number that large as a string, e.g. "1e400".' },
  );
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
