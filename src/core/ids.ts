/** Lead ids: UUIDv7, so ids sort by creation time in every store and log. */
import { randomUUID } from "node:crypto";

const MAX_TIME = 2 ** 48;

export function newLeadId(now: number = Date.now()): string {
  if (!(now >= 0 && now < MAX_TIME)) {
    throw new RangeError(`a lead id needs a time between 0 and 2^48 ms, got ${now}`);
  }
  // randomUUID draws from a pooled buffer, where randomBytes(16) asks OpenSSL on every call
  // (the largest cost of an intake request's id). A v4 UUID already has the v7 layout past
  // its first 48 bits: 12 random bits after the version digit, the variant, 62 random bits.
  const random = randomUUID();
  const time = Math.floor(now).toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
