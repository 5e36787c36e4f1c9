// Preloaded with `node --import ./record-loaded-packages.mjs …` and LOADED_PACKAGES_FILE
// set: at exit, that file holds the npm packages the process loaded, as a JSON
// array. A resolve hook (on the loader's own thread) appends each ESM import's
// URL to a side file as it happens, so nothing is lost when the program calls
// process.exit (as `--help` does); require.cache holds the CommonJS packages.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.LOADED_PACKAGES_FILE;
if (!out) throw new Error("set LOADED_PACKAGES_FILE to the file the package list goes to");
const urls = `${out}.urls`;
writeFileSync(urls, "");

const hook = `
import { appendFileSync } from "node:fs";
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, resolved.url + "\\n");
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { file: urls } });

const packageOf = (path) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path)?.[1];

process.on("exit", () => {
  const paths = [
    ...readFileSync(urls, "utf8").split("\n"),
    ...Object.keys(createRequire(import.meta.url).cache),
  ];
  const packages = new Set(paths.map(packageOf).filter((name) => name !== undefined));
  writeFileSync(out, JSON.stringify([...packages].sort()));
  rmSync(urls);
});
