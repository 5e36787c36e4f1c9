/**
 * A Standard Webhooks receiver for the fault scenarios, as a careful consumer
 * would write one: it checks each signature itself (node:crypto, not
 * claypipe's signer), dedupes on webhook-id, and counts what came twice. It
 * can be told to fail with a 5xx for a while, to make the webhook sink retry.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface SignedReceiver {
  url: string;
  /** webhook-id → claypipe_id of its first accepted delivery. */
  readonly accepted: ReadonlyMap<string, string>;
  readonly counts: ReceiverCounts;
  /** From now, answer `status` to every request for `durationMs`. */
  failFor(durationMs: number, status?: number): void;
  close(): Promise<void>;
}

export interface ReceiverCounts {
  requests: number;
  /** Deliveries of a webhook-id already accepted (at-least-once allows them). */
  repeats: number;
  /** Requests answered with the failure status on purpose. */
  failedOnPurpose: number;
  /** Missing headers, a signature that does not match, or a stale timestamp. */
  badSignatures: number;
  /** webhook-id is not `msg_<claypipe_id>` of the body, or the body is not an event. */
  malformed: number;
}

const TOLERANCE_SECONDS = 5 * 60;

export async function startSignedReceiver(secret: string): Promise<SignedReceiver> {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const accepted = new Map<string, string>();
  const counts: ReceiverCounts = {
    requests: 0,
    repeats: 0,
    failedOnPurpose: 0,
    badSignatures: 0,
    malformed: 0,
  };
  let failing: { until: number; status: number } = { until: 0, status: 500 };

  const handle = (headers: IncomingHttpHeaders, body: string): number => {
    counts.requests++;
    if (Date.now() < failing.until) {
      counts.failedOnPurpose++;
      return failing.status;
    }
    const id = headers["webhook-id"];
    if (typeof id !== "string" || !signatureMatches(key, id, headers, body)) {
      counts.badSignatures++;
      return 401;
    }
    const claypipeId = claypipeIdOf(body);
    if (claypipeId === undefined || id !== `msg_${claypipeId}`) {
      counts.malformed++;
      return 400;
    }
    if (accepted.has(id)) counts.repeats++;
    else accepted.set(id, claypipeId);
    return 204;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.writeHead(handle(req.headers, Buffer.concat(chunks).toString("utf8"))).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/leads`,
    accepted,
    counts,
    failFor(durationMs, status = 500) {
      failing = { until: Date.now() + durationMs, status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Standard Webhooks check: HMAC-SHA256 over `id.timestamp.body`, any `v1,` signature, fresh timestamp. */
function signatureMatches(
  key: Buffer,
  id: string,
  headers: IncomingHttpHeaders,
  body: string,
): boolean {
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(" ").some((candidate) => {
    const [version, signature] = candidate.split(",", 2);
    if (version !== "v1" || signature === undefined) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function claypipeIdOf(body: string): string | undefined {
  try {
    const event = JSON.parse(body) as { type?: unknown; data?: { claypipe_id?: unknown } };
    const id = event.data?.claypipe_id;
    return event.type === "lead.enriched" && typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
