/**
 * HubSpot's v3 request signature (X-HubSpot-Signature-v3):
 * base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), where the
 * timestamp is X-HubSpot-Request-Timestamp (ms since the epoch) and the URI is
 * the full URL HubSpot called, with the characters HubSpot lists decoded
 * (developers.hubspot.com, "Validating requests"). A request older than 5
 * minutes is refused, so a captured one cannot be replayed later.
 */
import { createHmac, hash, timingSafeEqual } from "node:crypto";

/** HubSpot's limit on a request's age. A timestamp as far in the future is refused too (clock skew allowed). */
export const HUBSPOT_MAX_AGE_MS = 5 * 60_000;

export type HubspotSignatureCheck = "ok" | "missing" | "expired" | "bad_signature";

export interface HubspotSignedRequest {
  method: string;
  /** The URL HubSpot called: the app's webhook target URL. */
  uri: string;
  /** The raw body, exactly as received. */
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

// The percent-encodings HubSpot decodes in the URI before signing (hex either case).
const DECODED: Readonly<Record<string, string>> = {
  "3A": ":",
  "2F": "/",
  "3F": "?",
  "40": "@",
  "21": "!",
  "24": "$",
  "27": "'",
  "28": "(",
  "29": ")",
  "2A": "*",
  "2C": ",",
  "3B": ";",
};

export function hubspotSignatureUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (_match, hex: string) => {
    return DECODED[hex.toUpperCase()]!;
  });
}

/** The signature HubSpot sends for this request. */
export function hubspotSignatureV3(
  clientSecret: string,
  request: Omit<HubspotSignedRequest, "signature" | "timestamp"> & { timestamp: string },
): string {
  return createHmac("sha256", clientSecret)
    .update(
      `${request.method.toUpperCase()}${hubspotSignatureUri(request.uri)}${request.body}${request.timestamp}`,
      "utf8",
    )
    .digest("base64");
}

export function verifyHubspotSignature(
  clientSecret: string,
  request: HubspotSignedRequest,
  now: number,
): HubspotSignatureCheck {
  const { signature, timestamp } = request;
  if (!signature || !timestamp) return "missing";
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > HUBSPOT_MAX_AGE_MS) {
    return "expired";
  }
  const expected = hubspotSignatureV3(clientSecret, { ...request, timestamp });
  // Compared as fixed-length digests of the base64 text: constant time, and no lenient base64 decoding.
  return timingSafeEqual(digest(expected), digest(signature)) ? "ok" : "bad_signature";
}

function digest(text: string): Buffer {
  return hash("sha256", text, "buffer");
}
