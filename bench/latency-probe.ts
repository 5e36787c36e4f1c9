/**
 * The latency benchmark's eyes: one HTTP server that stands between claypipe
 * and the emulated Clay on both legs, and is the sink. It notes, per lead
 * (claypipe_id), when the row reached Clay's webhook, when Clay's HTTP API
 * column called back, and when the sink received the lead, forwarding both
 * Clay legs unchanged. Clay's own time for a lead is then callback − row in;
 * the forwarding this adds (loopback, well under a millisecond) counts as
 * claypipe's, so the figure errs against claypipe.
 *
 * Routes: POST /webhook/<tier> → the tier's emulator webhook;
 * POST /cb/<tier>/… → the tier's claypipe server, path after the prefix;
 * POST /sink/<tier> → answered 200 (a webhook sink's delivery).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LeadTimes {
  rowIn?: number;
  calledBack?: number;
  sunk?: number;
  /** Deliveries the sink received for the lead (1 unless a retry repeated one). */
  deliveries: number;
}

export interface LatencyProbe {
  url: string;
  /** Where the probe forwards a tier's legs: its emulator webhook, and (once it listens) its server. */
  route(tier: string, legs: { webhook: string; server?: string }): void;
  times(leadId: string): LeadTimes;
  close(): Promise<void>;
}

export async function startLatencyProbe(): Promise<LatencyProbe> {
  const routes = new Map<string, { webhook: string; server?: string }>();
  const times = new Map<string, LeadTimes>();
  const timesOf = (id: string) => {
    let found = times.get(id);
    if (!found) {
      found = { deliveries: 0 };
      times.set(id, found);
    }
    return found;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const at = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const [, kind, tier] = (request.url ?? "").split("/");
    const legs = routes.get(tier ?? "");
    if (!legs) {
      response.writeHead(404).end();
      return;
    }
    if (kind === "sink") {
      const record = JSON.parse(body) as { data: { claypipe_id: string } };
      const lead = timesOf(record.data.claypipe_id);
      lead.sunk ??= at;
      lead.deliveries += 1;
      response.writeHead(200).end();
      return;
    }
    const parsed = JSON.parse(body) as { claypipe_id?: string };
    if (kind === "webhook") {
      if (parsed.claypipe_id) timesOf(parsed.claypipe_id).rowIn ??= at;
      await forward(legs.webhook, request, body, response);
      return;
    }
    if (kind === "cb" && legs.server) {
      if (parsed.claypipe_id) timesOf(parsed.claypipe_id).calledBack ??= at;
      const rest = (request.url ?? "").slice(`/cb/${tier}`.length);
      await forward(`${legs.server}${rest}`, request, body, response);
      return;
    }
    response.writeHead(404).end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    route: (tier, legs) => routes.set(tier, legs),
    times: (id) => timesOf(id),
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function forward(
  url: string,
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && !["host", "content-length", "connection"].includes(name))
      headers[name] = value;
  }
  const answer = await fetch(url, { method: request.method ?? "POST", headers, body });
  const text = await answer.text();
  response.writeHead(answer.status, {
    "content-type": answer.headers.get("content-type") ?? "application/json",
  });
  response.end(text);
}
