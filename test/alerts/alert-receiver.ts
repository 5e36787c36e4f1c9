/**
 * A local stand-in for Slack's incoming webhook and an alert webhook: records
 * every post it answers 200, and answers 503 to the first `failFirst` posts to
 * the webhook path, so retries can be seen.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AlertReceiver {
  slackUrl: string;
  webhookUrl: string;
  /** Posts answered 200, in arrival order. */
  received: ReceivedPost[];
  /** Posts refused with 503. */
  refused: number;
  close(): Promise<void>;
}

export async function startAlertReceiver(
  options: { failFirst?: number } = {},
): Promise<AlertReceiver> {
  const received: ReceivedPost[] = [];
  let webhookPosts = 0;
  const receiver = { received, refused: 0 } as AlertReceiver;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      if (path.startsWith("/hook") && webhookPosts++ < (options.failFirst ?? 0)) {
        receiver.refused++;
        response.writeHead(503).end();
        return;
      }
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  receiver.slackUrl = `http://127.0.0.1:${port}/services/T000/B000/slack-token`;
  receiver.webhookUrl = `http://127.0.0.1:${port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}
