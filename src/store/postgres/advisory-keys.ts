/**
 * Keys for PostgreSQL advisory locks. Advisory locks are shared by the whole
 * database, so a key names its purpose and the schema as well as the thing it
 * guards: two claypipe schemas in one database never wait on each other.
 */
import { createHash } from "node:crypto";

/** A signed 64-bit key (as decimal text, for a `bigint` parameter) from the parts it guards. */
export function advisoryKey(...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return digest.readBigInt64BE(0).toString();
}

/** Numeric order of keys: every transaction takes several locks in this order, so none deadlock. */
export function sortKeys(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort((a, b) => {
    const difference = BigInt(a) - BigInt(b);
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  });
}
