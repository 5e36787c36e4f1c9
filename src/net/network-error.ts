/** What went wrong on the wire, in a word a person can search for. */
import { coerceError } from "../core/errors.js";

// fetch reports every failure as "fetch failed"; the useful part is in the cause
// (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…).
export function describeNetworkError(thrown: unknown): string {
  const error = coerceError(thrown);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return cause?.message ?? error.message;
}

/**
 * Failures that happen before a request is written: no connection, no address,
 * no TLS session. The server cannot have seen the request. A reset or a timeout
 * is not among them: it may come after the body went out.
 */
const BEFORE_SENDING: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found (DNS)",
  EAI_AGAIN: "host name lookup failed (DNS)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match the host",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS certificate chain is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate cannot be verified",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS certificate issuer unknown",
};

/** When `thrown` (from fetch) provably failed before the request was sent: why, in words; else undefined. */
export function failedBeforeSending(thrown: unknown): string | undefined {
  const cause = coerceError(thrown).cause;
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string") {
    if (Object.hasOwn(BEFORE_SENDING, code)) return BEFORE_SENDING[code];
    if (code === "ECONNRESET" && cause.message.includes("before secure TLS connection")) {
      return "TLS handshake failed";
    }
    return undefined;
  }
  // fetch refuses some ports (e.g. 1, 9, 25) before opening a socket.
  if (cause.message === "bad port") return "port blocked by fetch (bad port)";
  return undefined;
}
