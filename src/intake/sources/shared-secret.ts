/**
 * A secret shared with one sender (a CRM's outbound call), checked in constant
 * time: both sides are hashed to a fixed length first, so neither the length
 * nor the position of a difference leaks through timing. In the Authorization
 * header it is sent as `Bearer <secret>`; in any other header, as it is.
 */
import { hash, timingSafeEqual } from "node:crypto";

export type SecretCheck = "ok" | "missing" | "wrong";

export function createSharedSecretCheck(
  secret: string,
  header: string,
): (headers: Record<string, string | string[] | undefined>) => SecretCheck {
  const expected = digest(secret);
  const bearer = header === "authorization";
  return (headers) => {
    const value = headers[header];
    if (typeof value !== "string" || value === "") return "missing";
    const presented = bearer ? /^Bearer +(\S+) *$/i.exec(value)?.[1] : value;
    if (presented === undefined) return "missing";
    return timingSafeEqual(expected, digest(presented)) ? "ok" : "wrong";
  };
}

function digest(text: string): Buffer {
  return hash("sha256", text, "buffer");
}
