/**
 * Shared pieces of the emulator tests: a callback receiver on a loopback port and a
 * small JSON POST helper.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
}

/** How the receiver answers the nth request (0-based) to a path: a status, or "hang" to never answer. */
export type Responder = (path: string, nth: number) => number | "hang";

export interface Receiver {
  /** Base URL, e.g. "http://127.0.0.1:PORT"; any path is accepted. */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => 200): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const at = performance.now();
      const text = Buffer.concat(chunks).toString("utf8");
      requests.push({
        method: request.method ?? "",
        path,
        headers: request.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        at,
      });
      const nth = seen.get(path) ?? 0;
      seen.set(path, nth + 1);
      const answer = respond(path, nth);
      if (answer === "hang") return;
      response.writeHead(answer, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** Distinct leads: lead(3) → { email: "lead3@example.com", … }. */
export function lead(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { email: `lead${n}@example.com`, first_name: `First${n}`, last_name: "Tester", ...extra };
}
