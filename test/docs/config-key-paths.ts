/**
 * Every key path the config schema knows, written as the config reference
 * writes them: `clay.workspaces[].tables[].webhooks[].url`. In a list of
 * several shapes (sinks), a key every shape has is written once,
 * `sinks[].name`, and a key of one shape with that shape's literal,
 * `sinks[type=file].path`. `leaves` hold values; `containers` hold further
 * keys (the reference may list them, and need not).
 */
import { z } from "zod";

export interface KeyPaths {
  leaves: Set<string>;
  containers: Set<string>;
}

export function configKeyPaths(schema: z.ZodType): KeyPaths {
  const found: KeyPaths = { leaves: new Set(), containers: new Set() };
  walk(schema, "", found);
  return found;
}

function walk(node: z.ZodType, at: string, found: KeyPaths): void {
  const inner = unwrap(node);
  if (inner instanceof z.ZodObject) {
    if (at !== "" && !at.endsWith("[]")) found.containers.add(at);
    for (const [key, child] of Object.entries(shapeOf(inner))) walk(child, join(at, key), found);
  } else if (inner instanceof z.ZodArray && holdsKeys(inner.element as z.ZodType)) {
    found.containers.add(`${at}[]`);
    walkElement(inner.element as z.ZodType, `${at}[]`, found);
  } else {
    found.leaves.add(at);
  }
}

/** A list's element: one object, or a union of objects told apart by a literal key. */
function walkElement(element: z.ZodType, at: string, found: KeyPaths): void {
  const inner = unwrap(element);
  if (!(inner instanceof z.ZodUnion)) {
    walk(inner, at, found);
    return;
  }
  const shapes = (inner.options as z.ZodType[]).map((option) => shapeOf(unwrap(option)));
  const shared = Object.keys(shapes[0]!).filter((key) => shapes.every((shape) => key in shape));
  for (const shape of shapes) {
    const [tag, literal] = Object.entries(shape).find(
      ([key, field]) => shared.includes(key) && field instanceof z.ZodLiteral,
    )!;
    const member = `${at.slice(0, -2)}[${tag}=${[...(literal as z.ZodLiteral).values][0]}]`;
    for (const [key, child] of Object.entries(shape)) {
      walk(child, join(shared.includes(key) ? at : member, key), found);
    }
  }
}

/** Looks through optional, default and pipe wrappers (as schema-keys.ts does). */
function unwrap(node: z.ZodType): z.ZodType {
  let current = node;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function holdsKeys(node: z.ZodType): boolean {
  const inner = unwrap(node);
  return inner instanceof z.ZodObject || inner instanceof z.ZodUnion;
}

function shapeOf(node: z.ZodType): Record<string, z.ZodType> {
  return (node as z.ZodObject).shape as Record<string, z.ZodType>;
}

function join(at: string, key: string): string {
  return at === "" ? key : `${at}.${key}`;
}
