/**
 * Dashboard sessions: a person logs in with one of the server's keys and gets
 * a signed cookie, so the key itself never sits in the browser. The cookie
 * holds the role (admin keys from `server.apiKeys`, read-only ones from
 * `server.readOnlyKeys`), a fingerprint of the key (a key removed from the
 * config ends its sessions), an expiry and a nonce; it is signed with HMAC
 * under a secret derived from the configured keys, so every API process of one
 * config accepts it. The CSRF token is an HMAC of the session's nonce: a page
 * carries it, a cross-site form cannot know it.
 */
import { createHmac, hash, randomBytes, timingSafeEqual } from "node:crypto";

export type UiRole = "admin" | "read";

export interface UiSession {
  role: UiRole;
  /** When the session ends (ms). */
  expiresAt: number;
  /** The token every action of this session must carry. */
  csrfToken: string;
}

export interface UiKeys {
  admin: readonly string[];
  read: readonly string[];
}

export const SESSION_COOKIE = "claypipe_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface Payload {
  r: UiRole;
  k: string;
  e: number;
  n: string;
}

export interface SessionSigner {
  /** The role a presented key has, or undefined for a key that is not configured. */
  roleOf(key: string): UiRole | undefined;
  /** A new session's cookie value, for a key `roleOf` accepted. */
  issue(key: string, now: number): string;
  /** The session a cookie value stands for, or undefined when it is forged, expired or its key is gone. */
  open(cookie: string | undefined, now: number): UiSession | undefined;
  /** True when `token` is the CSRF token of this session. */
  checkCsrf(session: UiSession, token: string | undefined): boolean;
}

export function createSessionSigner(keys: UiKeys): SessionSigner {
  const fingerprints = new Map<string, UiRole>();
  for (const key of keys.read) fingerprints.set(fingerprint(key), "read");
  // An admin key listed among the read-only ones too stays admin.
  for (const key of keys.admin) fingerprints.set(fingerprint(key), "admin");
  const secret = hash(
    "sha256",
    `claypipe-ui-session\n${[...fingerprints.keys()].sort().join("\n")}`,
    "buffer",
  );
  const mac = (text: string) => createHmac("sha256", secret).update(text).digest("base64url");

  const roleOf = (key: string): UiRole | undefined => {
    const presented = Buffer.from(fingerprint(key));
    let role: UiRole | undefined;
    // Every fingerprint is compared, in constant time, so timing tells nothing.
    for (const [known, knownRole] of fingerprints) {
      if (timingSafeEqual(Buffer.from(known), presented)) role = knownRole;
    }
    return role;
  };

  return {
    roleOf,
    issue(key, now) {
      const role = roleOf(key);
      if (role === undefined) throw new Error("issue() needs a key roleOf() accepted");
      const payload: Payload = {
        r: role,
        k: fingerprint(key),
        e: now + SESSION_TTL_MS,
        n: randomBytes(16).toString("base64url"),
      };
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${mac(body)}`;
    },
    open(cookie, now) {
      if (cookie === undefined || cookie.length > 512) return undefined;
      const dot = cookie.indexOf(".");
      if (dot === -1) return undefined;
      const body = cookie.slice(0, dot);
      const expected = Buffer.from(mac(body));
      const presented = Buffer.from(cookie.slice(dot + 1));
      if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
        return undefined;
      }
      const payload = parsePayload(body);
      if (!payload || payload.e <= now || fingerprints.get(payload.k) !== payload.r) {
        return undefined;
      }
      return { role: payload.r, expiresAt: payload.e, csrfToken: mac(`csrf.${payload.n}`) };
    },
    checkCsrf(session, token) {
      if (token === undefined) return false;
      const expected = Buffer.from(session.csrfToken);
      const presented = Buffer.from(token);
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    },
  };
}

function fingerprint(key: string): string {
  return hash("sha256", `claypipe-key\n${key}`, "hex").slice(0, 32);
}

function parsePayload(body: string): Payload | undefined {
  try {
    const value = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<Payload>;
    const roleOk = value.r === "admin" || value.r === "read";
    if (!roleOk || typeof value.k !== "string" || typeof value.e !== "number") return undefined;
    if (typeof value.n !== "string") return undefined;
    return value as Payload;
  } catch {
    return undefined;
  }
}
