/**
 * Headers on every dashboard answer: a Content-Security-Policy that lets only
 * claypipe's own scripts, styles and connections run (no inline script, no
 * eval, no framing), and no caching of pages that show lead data. The
 * referrer stays same-origin, not none: with `no-referrer` Chromium sends
 * `Origin: null` on form posts, which the CSRF origin check must refuse.
 */
import type { FastifyReply } from "fastify";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export function setSecurityHeaders(reply: FastifyReply): void {
  reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
  reply.header("x-content-type-options", "nosniff");
  reply.header("x-frame-options", "DENY");
  reply.header("referrer-policy", "same-origin");
}
