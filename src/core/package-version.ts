/** claypipe's version, read from its package.json at run time (dist/core/ and src/core/ sit two levels below it). */
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}
