/**
 * The keys a config schema knows at a key path, for suggesting the right one
 * in place of an unknown key. Where a list holds several shapes (sinks), the
 * one whose literal keys match the document (`type: file`) is used.
 */
import { z } from "zod";

export function knownKeysAt(
  schema: z.ZodType,
  path: ReadonlyArray<PropertyKey>,
  document: unknown,
): string[] {
  let node: z.ZodType | undefined = schema;
  let value = document;
  for (const part of path) {
    node = unwrap(node, value);
    if (node instanceof z.ZodObject) node = (node.shape as Record<PropertyKey, z.ZodType>)[part];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
    value =
      value !== null && typeof value === "object"
        ? (value as Record<PropertyKey, unknown>)[part]
        : undefined;
  }
  node = unwrap(node, value);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** Looks through optional, default and pipe wrappers, and picks the union member the value matches. */
function unwrap(node: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
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
    } else if (current instanceof z.ZodUnion) {
      current = (current.options as z.ZodType[]).find((option) => matchesLiterals(option, value));
    } else {
      return current;
    }
  }
}

function matchesLiterals(option: z.ZodType, value: unknown): boolean {
  if (!(option instanceof z.ZodObject) || !isRecord(value)) return false;
  return Object.entries(option.shape as Record<string, z.ZodType>).every(
    ([key, field]) => !(field instanceof z.ZodLiteral) || field.values.has(value[key] as never),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
