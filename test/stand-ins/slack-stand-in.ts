/**
 * A local stand-in for a Slack incoming webhook, for the Slack sink's tests.
 * Listens on a free loopback port; `webhookUrl` is the one URL it posts for.
 *
 * Followed (api.slack.com / docs.slack.dev: "Sending messages using incoming webhooks", its
 * "Handling errors", the 2016 changelog "Improving error conditions for Incoming Webhooks",
 * "Rate limits", Block Kit reference): POST a JSON body with `text` and/or `blocks`; 200 with the
 * body `ok`; errors as a status and a bare code: 400 `invalid_payload` (unreadable body), `no_text`,
 * `invalid_blocks`; 403 `action_prohibited`; 404 `no_service` (a disabled, removed or unknown
 * webhook), `channel_not_found`; 410 `channel_is_archived`; 500 `rollup_error`. About one message a
 * second per webhook, short bursts allowed, 429 past it. A section's text is at most 3,000
 * characters, a message at most 50 blocks.
 * Assumed (not documented for webhooks): the 429 carries `Retry-After: 1` and the body
 * `rate_limited`; the burst allowed is 2 messages; a 429 does not count against the rate.
 */
import type { AddressInfo } from "node:net";
import Fastify from "fastify";

export interface SlackStandInOptions {
  /** Messages a second the webhook takes. @defaultValue 1 */
  ratePerSecond?: number;
  /** Messages that may come at once after a quiet spell. @defaultValue 2 */
  burst?: number;
}

export interface PostedMessage {
  text?: string;
  blocks?: Array<{ type: string; text?: { type: string; text: string } }>;
}

export interface SlackStandIn {
  /** The incoming webhook's URL, a credential. */
  webhookUrl: string;
  /** The stand-in's root: another path is an unknown webhook (404 no_service). */
  url: string;
  messages(): PostedMessage[];
  /** Requests received, refused ones included. */
  readonly requests: number;
  /** Requests answered 429 by the rate limit (injected faults not included). */
  readonly rateLimited: number;
  /** Answers the next `count` requests with `status` and the code `body`. */
  failNext(status: number, body: string, count?: number, headers?: Record<string, string>): void;
  /** The webhook's channel is archived: 410 channel_is_archived from now on. */
  archiveChannel(): void;
  close(): Promise<void>;
}

const WEBHOOK_PATH = "/services/T0CLAYPIPE/B0SINKTEST/sEcReTwebhookTOKEN0123";
const MAX_SECTION_CHARS = 3000;
const MAX_BLOCKS = 50;

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const rate = options.ratePerSecond ?? 1;
  const burst = options.burst ?? 2;
  const messages: PostedMessage[] = [];
  const faults: Array<{ status: number; body: string; headers: Record<string, string> }> = [];
  let requests = 0;
  let rateLimited = 0;
  let archived = false;
  let tokens = burst;
  let refilledAt = Date.now();

  const takeToken = (): boolean => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Slack reads the body itself: anything that is not a JSON object is invalid_payload.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.setNotFoundHandler((_request, reply) => {
    requests += 1;
    return reply.code(404).type("text/html").send("no_service");
  });

  app.post(WEBHOOK_PATH, (request, reply) => {
    requests += 1;
    const answer = (status: number, code: string) =>
      reply.code(status).type("text/html").send(code);
    const fault = faults.shift();
    if (fault)
      return reply.headers(fault.headers).code(fault.status).type("text/html").send(fault.body);
    if (archived) return answer(410, "channel_is_archived");
    if (!takeToken()) {
      rateLimited += 1;
      return reply.header("retry-after", "1").code(429).type("text/html").send("rate_limited");
    }
    let message: PostedMessage;
    try {
      message = JSON.parse(String(request.body)) as PostedMessage;
    } catch {
      return answer(400, "invalid_payload");
    }
    if (message === null || typeof message !== "object") return answer(400, "invalid_payload");
    if (!message.text && !message.blocks) return answer(400, "no_text");
    if (message.blocks !== undefined && !validBlocks(message.blocks)) {
      return answer(400, "invalid_blocks");
    }
    messages.push(message);
    return answer(200, "ok");
  });

  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    webhookUrl: `${url}${WEBHOOK_PATH}`,
    url,
    messages: () => [...messages],
    get requests() {
      return requests;
    },
    get rateLimited() {
      return rateLimited;
    },
    failNext(status, body, count = 1, headers = {}) {
      for (let i = 0; i < count; i++) faults.push({ status, body, headers });
    },
    archiveChannel() {
      archived = true;
    },
    close: () => app.close(),
  };
}

interface BlockInput {
  type?: unknown;
  text?: { type?: unknown; text?: unknown };
}

/** Only section blocks with text: what the sink sends, checked against Slack's limits. */
function validBlocks(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > MAX_BLOCKS) return false;
  return (blocks as BlockInput[]).every(
    (block) =>
      block?.type === "section" &&
      (block.text?.type === "mrkdwn" || block.text?.type === "plain_text") &&
      typeof block.text.text === "string" &&
      block.text.text.length > 0 &&
      block.text.text.length <= MAX_SECTION_CHARS,
  );
}
