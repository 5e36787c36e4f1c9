/**
 * Which pages may post to a web form: the browser's `Origin` header, or the
 * origin of its `Referer` when a browser sends no Origin. This keeps other
 * sites' pages from posting into the form; it is not authentication (a script
 * outside a browser can send any header), which is why forms are for public
 * leads only.
 */

export interface OriginDecision {
  allowed: boolean;
  /** The page's origin when known: for the CORS answer, and to name it in a refusal. */
  origin: string | undefined;
}

export function createOriginAllowlist(
  allowedOrigins: readonly string[],
): (headers: { origin?: string | undefined; referer?: string | undefined }) => OriginDecision {
  const anyOrigin = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins);
  return ({ origin, referer }) => {
    // A privacy-sensitive context sends `Origin: null`; only the Referer can tell then.
    const page = originOf(origin) ?? originOf(referer);
    return { allowed: anyOrigin || (page !== undefined && allowed.has(page)), origin: page };
  };
}

/** The origin of a URL or origin header value, normalized ("https://WWW.acme.com" → "https://www.acme.com"). */
function originOf(value: string | undefined): string | undefined {
  if (value === undefined || value === "null") return undefined;
  try {
    const url = new URL(value);
    return ["http:", "https:"].includes(url.protocol) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
