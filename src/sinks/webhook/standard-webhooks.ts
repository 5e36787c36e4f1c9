/**
 * Standard Webhooks signatures (standardwebhooks.com, symmetric scheme): the
 * sender signs `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256
 * and sends `webhook-signature: v1,<base64>`; the receiver recomputes it,
 * compares in constant time and refuses timestamps outside its tolerance.
 *
 * secret: "whsec_" + base64 of 24–64 random bytes; the prefix is optional, the
 * base64 is not (as in the spec's reference libraries).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ClaypipeError } from "../../core/errors.js";

export const SECRET_PREFIX = "whsec_";
/** How far a timestamp may be from the receiver's clock. */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

// A type, not an interface, so it can be passed where any header record is taken.
export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export type WebhookVerification =
  | { ok: true }
  | {
      ok: false;
      reason: "missing_headers" | "bad_timestamp" | "too_old" | "too_new" | "bad_signature";
    };

export interface VerifyOptions {
  /** The receiver's time, ms since the epoch. @defaultValue Date.now() */
  now?: number;
  /** @defaultValue DEFAULT_TOLERANCE_MS */
  toleranceMs?: number;
}

export interface StandardWebhooks {
  /** The `webhook-signature` value for one message: "v1,<base64>". */
  sign(id: string, timestampSeconds: number, body: string | Buffer): string;
  /** The three headers for a message sent at `nowMs`. */
  headers(id: string, nowMs: number, body: string | Buffer): WebhookHeaders;
  /** Checks a received message against its headers (names in any case). Never throws. */
  verify(
    body: string | Buffer,
    headers: Record<string, string | string[] | undefined>,
    options?: VerifyOptions,
  ): WebhookVerification;
}

/** The key bytes of a "whsec_…" secret; throws a config error for anything else. */
export function decodeSigningSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const hint =
    'generate one with `echo "whsec_$(openssl rand -base64 32)"` and give the same secret to the receiver';
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new ClaypipeError(
      "config_invalid",
      "the webhook signing secret is not base64 after its whsec_ prefix",
      { hint },
    );
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new ClaypipeError(
      "config_invalid",
      `the webhook signing secret holds ${key.length} bytes; Standard Webhooks asks for 24 to 64`,
      { hint },
    );
  }
  return key;
}

export function createStandardWebhooks(secret: string): StandardWebhooks {
  const key = decodeSigningSecret(secret);

  const digest = (id: string, timestamp: string, body: string | Buffer): Buffer =>
    createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();

  const sign = (id: string, timestampSeconds: number, body: string | Buffer): string =>
    `v1,${digest(id, String(timestampSeconds), body).toString("base64")}`;

  return {
    sign,

    headers(id, nowMs, body) {
      const timestamp = Math.floor(nowMs / 1000);
      return {
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": sign(id, timestamp, body),
      };
    },

    verify(body, headers, options = {}) {
      const id = header(headers, "webhook-id");
      const timestamp = header(headers, "webhook-timestamp");
      const signatures = header(headers, "webhook-signature");
      if (!id || !timestamp || !signatures) return { ok: false, reason: "missing_headers" };
      if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: "bad_timestamp" };
      const sentAt = Number(timestamp) * 1000;
      const now = options.now ?? Date.now();
      const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
      if (now - sentAt > tolerance) return { ok: false, reason: "too_old" };
      if (sentAt - now > tolerance) return { ok: false, reason: "too_new" };
      const expected = Buffer.from(digest(id, timestamp, body).toString("base64"));
      // Several signatures are allowed so a sender can rotate its secret; any v1 match will do.
      for (const candidate of signatures.split(" ")) {
        const [version, signature] = candidate.split(",", 2);
        if (version !== "v1" || signature === undefined) continue;
        const given = Buffer.from(signature);
        if (given.length === expected.length && timingSafeEqual(given, expected))
          return { ok: true };
      }
      return { ok: false, reason: "bad_signature" };
    },
  };
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}
