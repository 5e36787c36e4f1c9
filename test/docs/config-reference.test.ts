/**
 * docs/config.md lists every key of the config schema, and no key the schema
 * lacks: a key added to src/config/schema.ts without a row here fails.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { configKeyPaths } from "./config-key-paths.js";

const REFERENCE = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");

/** The keys the reference's tables name: the first cell of each row, in backticks. */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([^`]+)` +\|/gm)].map((match) => match[1]!);
}

describe("the config reference (docs/config.md)", () => {
  const schema = configKeyPaths(configSchema);
  const documented = documentedKeys(REFERENCE);

  it("finds the schema's keys and the reference's rows", () => {
    expect(schema.leaves.size).toBeGreaterThan(100);
    expect(documented.length).toBeGreaterThan(100);
  });

  it("documents every key of the schema", () => {
    const missing = [...schema.leaves].filter((key) => !documented.includes(key));
    expect(missing, "keys of src/config/schema.ts with no row in docs/config.md").toEqual([]);
  });

  it("names no key the schema lacks, and each key once", () => {
    const unknown = documented.filter(
      (key) => !schema.leaves.has(key) && !schema.containers.has(key),
    );
    expect(unknown, "rows of docs/config.md for keys src/config/schema.ts does not have").toEqual(
      [],
    );
    expect(documented.filter((key, index) => documented.indexOf(key) !== index)).toEqual([]);
  });
});
