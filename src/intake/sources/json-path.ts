/**
 * Dot paths into JSON events: `Contact.Email`, `records.0.Email`. Each part is
 * an object key or a list index. Only a value's own keys count, so a path like
 * `constructor.name` finds nothing in an object that lacks such a key.
 */

/** The value at `path`, or undefined when any part of the way is missing. */
export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split(".")) {
    if (Array.isArray(node)) {
      node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    } else if (typeof node === "object" && node !== null && Object.hasOwn(node, part)) {
      node = (node as Record<string, unknown>)[part];
    } else {
      return undefined;
    }
  }
  return node;
}
