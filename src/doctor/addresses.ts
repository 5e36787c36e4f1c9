/** How the doctor shows and judges addresses: without passwords, and loopback or private or public. */
import { isIP } from "node:net";

/** A connection string as it can be shown: scheme, user, host, port and path; no password, no query. */
export function shownAddress(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
    return `${url.protocol}//${user}${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(a connection string that is not a URL)";
  }
}

/** Only this machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/** Only machines on the same private network can reach it (RFC 1918, link-local, IPv6 ULA). */
export function isPrivateHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(bare) === 6) return /^f[cd]/.test(bare) || bare.startsWith("fe80:");
  if (isIP(bare) !== 4) return bare.endsWith(".local") || bare.endsWith(".internal");
  const [a, b] = bare.split(".").map(Number) as [number, number];
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

/** A listen address other machines can reach: every interface, or any address not loopback. */
export function listensPublicly(host: string): boolean {
  return !isLoopbackHost(host);
}
