/**
 * GET /ui/stream: the overview's live updates as server-sent events. Each new
 * status sample sends `overview` (the figures, as HTML htmx swaps in) and
 * `series` (the charts' data, as JSON). A comment every 15 s keeps proxies from
 * closing an idle stream; streams are bounded in number, and all end when the
 * server closes.
 */
import type { FastifyInstance } from "fastify";
import { overviewSeries } from "../overview-series.js";
import type { StatusSample } from "../status-sampler.js";
import type { UiContext } from "../ui-context.js";
import { overviewFigures } from "./overview-view.js";

const MAX_STREAMS = 64;
const KEEPALIVE_MS = 15_000;

export function registerOverviewStream(app: FastifyInstance, context: UiContext): void {
  const { sampler } = context;
  const open = new Set<() => void>();
  // Before the server closes: an open stream is never idle, so closing would wait on it.
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });

  app.get("/ui/stream", async (request, reply) => {
    if (open.size >= MAX_STREAMS) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(
          `Too many live dashboards (${MAX_STREAMS}) are open on this server; close one and reload.`,
        );
    }
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const send = (sample: StatusSample) => {
      response.write(event("overview", overviewFigures(sample).text));
      response.write(event("series", JSON.stringify(overviewSeries(sampler.samples()))));
    };
    const keepalive = setInterval(() => response.write(": keepalive\n\n"), KEEPALIVE_MS);
    const unsubscribe = sampler.subscribe(send);
    const end = () => {
      clearInterval(keepalive);
      unsubscribe();
      open.delete(end);
      response.end();
    };
    open.add(end);
    request.raw.once("close", end);
  });
}

/** One event; every line of its data gets its own `data:` field, as the format requires. */
function event(name: string, data: string): string {
  return `event: ${name}\n${data
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}
