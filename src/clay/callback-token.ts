/**
 * Callback tokens. Clay's HTTP API column cannot sign its requests, so the
 * callback URL itself is the credential: it ends in a token that is an HMAC over
 * the lead id, the attempt and an expiry. Several secrets allow rotation: the
 * first signs, every one of them verifies.
 *
 * token: base64url(JSON {l: leadId, a: attempt, e: expiresAt ms}) "." base64url(HMAC-SHA256)
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { isSet, requireSet } from "../config/unset-variable.js";
import { type Clock, systemClock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import { trimEndChar } from "../core/text-scan.js";

export interface CallbackSignerOptions {
  /** HMAC keys: the first signs new tokens, all of them verify (for rotation). */
  secrets: readonly string[];
  /** How long a token stays valid after it is signed. */
  ttlMs: number;
  /** @defaultValue systemClock */
  clock?: Clock;
}

export interface CallbackClaims {
  leadId: string;
  /** Which send of the lead this callback answers; a new attempt gets a new token. */
  attempt: number;
}

export type TokenVerification =
  | { ok: true; leadId: string; attempt: number; expiresAt: number }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

export interface CallbackSigner {
  sign(claims: CallbackClaims): string;
  /** Never throws: anything that is not a valid, current token gets a reason. */
  verify(token: string): TokenVerification;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

export function createCallbackSigner(options: CallbackSignerOptions): CallbackSigner {
  if (options.secrets.length === 0 || options.secrets.some((secret) => secret.length === 0)) {
    throw new ClaypipeError(
      "config_invalid",
      "callback tokens need at least one non-empty secret",
      {
        hint: "set callbacks.secret to at least 32 random characters (e.g. `openssl rand -hex 32`)",
      },
    );
  }
  if (!(options.ttlMs > 0)) {
    throw new ClaypipeError(
      "config_invalid",
      `callback token ttl must be positive, got ${options.ttlMs}`,
      {
        hint: 'set callbacks.ttl to a duration such as "7d"',
      },
    );
  }
  // A secret left unset (a command that never signs) signs nothing and verifies nothing.
  const keys = options.secrets.filter(isSet).map((secret) => Buffer.from(secret, "utf8"));
  const clock = options.clock ?? systemClock;
  const mac = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest();

  return {
    sign({ leadId, attempt }) {
      requireSet(options.secrets[0]!, "callbacks.secret");
      if (!Number.isSafeInteger(attempt) || attempt < 0) {
        throw new ClaypipeError("input_invalid", `attempt must be a whole number, got ${attempt}`);
      }
      const expiresAt = Math.ceil(clock.now() + options.ttlMs);
      const payload = encode(Buffer.from(JSON.stringify({ l: leadId, a: attempt, e: expiresAt })));
      return `${payload}.${encode(mac(keys[0]!, payload))}`;
    },

    verify(token) {
      if (typeof token !== "string") return { ok: false, reason: "malformed" };
      const parts = token.split(".");
      if (parts.length !== 2) return { ok: false, reason: "malformed" };
      const [payload, signatureText] = parts as [string, string];
      const signature = decode(signatureText);
      const payloadBytes = decode(payload);
      if (!signature || signature.length !== SIGNATURE_BYTES || !payloadBytes) {
        return { ok: false, reason: "malformed" };
      }
      if (!keys.some((key) => timingSafeEqual(mac(key, payload), signature))) {
        return { ok: false, reason: "bad_signature" };
      }
      const claims = parseClaims(payloadBytes);
      if (!claims) return { ok: false, reason: "malformed" };
      if (claims.e <= clock.now()) return { ok: false, reason: "expired" };
      return { ok: true, leadId: claims.l, attempt: claims.a, expiresAt: claims.e };
    },
  };
}

/** The URL Clay's HTTP API column posts the enriched row to. */
export function callbackUrl(baseUrl: string, token: string): string {
  return `${trimEndChar(baseUrl, "/")}/v1/callbacks/clay/${token}`;
}

function encode(bytes: Buffer): string {
  return bytes.toString("base64url");
}

// Node decodes base64url leniently (stray characters, non-zero padding bits), so
// only text that re-encodes to itself counts: one token, one spelling.
function decode(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return encode(bytes) === text ? bytes : undefined;
}

function parseClaims(bytes: Buffer): { l: string; a: number; e: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { l, a, e } = value as Record<string, unknown>;
  if (typeof l !== "string" || !Number.isSafeInteger(a) || !Number.isSafeInteger(e)) {
    return undefined;
  }
  return { l, a: a as number, e: e as number };
}
