/**
 * The dashboard's scripts and styles, all served by claypipe (no CDN): htmx,
 * its server-sent-events extension and uPlot from their pinned npm packages,
 * and the dashboard's own ui.js and ui.css. Read once, on the first request;
 * the path carries claypipe's version so a browser may cache them for a day.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface UiAsset {
  type: string;
  body: Buffer;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

const SOURCES: Record<string, { type: string; path: () => string }> = {
  "htmx.min.js": { type: JS, path: () => require.resolve("htmx.org/dist/htmx.min.js") },
  "sse.min.js": { type: JS, path: () => require.resolve("htmx-ext-sse/dist/sse.min.js") },
  "uplot.min.js": { type: JS, path: () => require.resolve("uplot/dist/uPlot.iife.min.js") },
  "uplot.min.css": { type: CSS, path: () => require.resolve("uplot/dist/uPlot.min.css") },
  "ui.js": { type: JS, path: () => own("ui.js") },
  "ui.css": { type: CSS, path: () => own("ui.css") },
};

/** The asset names, in the order a page loads the scripts. */
export const ASSET_NAMES = Object.keys(SOURCES);

const loaded = new Map<string, UiAsset>();

/** One asset by name, or undefined for a name that is not one. */
export function uiAsset(name: string): UiAsset | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = { type: source.type, body: readFileSync(source.path()) };
    loaded.set(name, asset);
  }
  return asset;
}
