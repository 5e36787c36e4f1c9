// Writes docs/schemas/<topic>.schema.json from the topics' zod schemas (src/bus/topics/), then
// formats them as Biome does. Run after changing a topic's schema: `npx tsx scripts/write-topic-schemas.ts`.
// test/bus/topic-schemas.test.ts fails while a committed file says something else.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  schemaFileName,
  TOPIC_SPECS,
  topicJsonSchema,
} from "../src/bus/topics/topic-json-schemas.js";

const directory = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "schemas");
mkdirSync(directory, { recursive: true });
const files = TOPIC_SPECS.map((spec) => {
  const file = join(directory, schemaFileName(spec));
  writeFileSync(file, `${JSON.stringify(topicJsonSchema(spec), null, 2)}\n`);
  return file;
});
const formatted = spawnSync("npx", ["biome", "format", "--write", ...files], { stdio: "inherit" });
if (formatted.status !== 0) process.exit(formatted.status ?? 1);
console.log(`wrote ${files.length} schemas to ${directory}`);
