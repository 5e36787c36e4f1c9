/** What the cost benchmarks share: the naive pipeline's bare callback receiver and the emulated tables. */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A receiver that only answers 200: the naive pipeline's "respond, then process". */
export async function startBareReceiver() {
  let received = 0;
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An emulated table whose HTTP API column keeps up with the benchmark. */
export const costTable = (id: string, notFoundRate: number) => ({
  id,
  enrichment: { notFoundRate },
  httpApiColumn: { rateLimit: { requests: 1000, perMs: 1000 } },
  webhooks: [{}],
});
