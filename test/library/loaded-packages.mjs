// Run as `node test/library/loaded-packages.mjs <entry> [config.json]`: imports the
// entry (and, given a config, creates and stops a pipeline from it), then prints
// the npm packages that were loaded, as a JSON array. A resolve hook sees the
// ESM imports; require.cache holds the CommonJS packages those imports pulled in.
import { createRequire, register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const hook = `
let port;
export function initialize(data) {
  port = data.port;
  port.on("message", () => port.postMessage({ flushed: true }));
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage({ url: resolved.url });
  return resolved;
}`;

const packageOf = (path) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path)?.[1];
const urls = [];
const { port1, port2 } = new MessageChannel();
const flushed = new Promise((resolve) =>
  port1.on("message", (message) => (message.flushed ? resolve() : urls.push(message.url))),
);
register(`data:text/javascript,${encodeURIComponent(hook)}`, {
  data: { port: port2 },
  transferList: [port2],
});

const [entry, configJson] = process.argv.slice(2);
const claypipe = await import(entry);
if (configJson) {
  const pipeline = await claypipe.createPipeline(
    claypipe.configSchema.parse(JSON.parse(configJson)),
  );
  await pipeline.stop();
}
port1.postMessage("flush");
await flushed;
port1.close();
const paths = [...urls, ...Object.keys(createRequire(import.meta.url).cache)];
const packages = new Set(paths.map(packageOf).filter((name) => name !== undefined));
console.log(JSON.stringify([...packages].sort()));
