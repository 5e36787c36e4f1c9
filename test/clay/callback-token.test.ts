import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callbackUrl, createCallbackSigner } from "../../src/clay/callback-token.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { ManualClock } from "./manual-clock.js";

const SECRET = "s".repeat(32);
const OLD_SECRET = "o".repeat(32);
const TTL = 60_000;
const BASE64URL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function signerAt(clock: ManualClock, secrets = [SECRET]) {
  return createCallbackSigner({ secrets, ttlMs: TTL, clock });
}

describe("callback tokens", () => {
  it("verifies what it signed and returns the claims", () => {
    const clock = new ManualClock();
    const signer = signerAt(clock);
    const token = signer.sign({ leadId: "0190-lead-é", attempt: 3 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(token)).toEqual({
      ok: true,
      leadId: "0190-lead-é",
      attempt: 3,
      expiresAt: clock.now() + TTL,
    });
  });

  it("expires after the ttl, not before", async () => {
    const clock = new ManualClock();
    const signer = signerAt(clock);
    const token = signer.sign({ leadId: "a", attempt: 1 });
    await clock.advance(TTL - 1);
    expect(signer.verify(token).ok).toBe(true);
    await clock.advance(1);
    expect(signer.verify(token)).toEqual({ ok: false, reason: "expired" });
  });

  it("verifies tokens of every configured secret and signs with the first", () => {
    const clock = new ManualClock();
    const oldToken = signerAt(clock, [OLD_SECRET]).sign({ leadId: "a", attempt: 1 });
    const rotated = signerAt(clock, [SECRET, OLD_SECRET]);
    expect(rotated.verify(oldToken).ok).toBe(true);
    expect(signerAt(clock, [SECRET]).verify(oldToken)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const newToken = rotated.sign({ leadId: "a", attempt: 1 });
    expect(signerAt(clock, [SECRET]).verify(newToken).ok).toBe(true);
    expect(signerAt(clock, [OLD_SECRET]).verify(newToken).ok).toBe(false);
  });

  it("calls garbage malformed", () => {
    const signer = signerAt(new ManualClock());
    for (const garbage of ["", ".", "abc", "a.b.c", "a+b.c/d", "YQ.YQ", "../../etc/passwd"]) {
      expect(signer.verify(garbage)).toEqual({ ok: false, reason: "malformed" });
    }
    expect(signer.verify(undefined as unknown as string)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("calls a correctly signed payload that is not a token malformed", () => {
    const payload = Buffer.from('{"l":1,"a":"x"}').toString("base64url");
    const signature = createHmac("sha256", SECRET).update(payload).digest("base64url");
    expect(signerAt(new ManualClock()).verify(`${payload}.${signature}`)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("never throws on arbitrary input", () => {
    const signer = signerAt(new ManualClock());
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(signer.verify(text).ok).toBe(false);
      }),
    );
  });

  it("never verifies a tampered token", () => {
    const signer = signerAt(new ManualClock());
    fc.assert(
      fc.property(
        fc.string(),
        fc.nat({ max: 1000 }),
        fc.nat(),
        fc.integer({ min: 1, max: BASE64URL_CHARS.length - 1 }),
        (leadId, attempt, position, shift) => {
          const token = signer.sign({ leadId, attempt });
          const index = position % token.length;
          const char = token[index]!;
          const replacement =
            char === "."
              ? "A"
              : BASE64URL_CHARS[(BASE64URL_CHARS.indexOf(char) + shift) % BASE64URL_CHARS.length]!;
          const tampered = token.slice(0, index) + replacement + token.slice(index + 1);
          expect(signer.verify(tampered).ok).toBe(false);
          expect(signer.verify(token.slice(0, index)).ok).toBe(false);
          expect(signer.verify(`${token}A`).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("accepts one spelling only: no other last character verifies", () => {
    const signer = signerAt(new ManualClock());
    const token = signer.sign({ leadId: "lead-1", attempt: 1 });
    for (const end of [token.indexOf(".") - 1, token.length - 1]) {
      for (const char of BASE64URL_CHARS.replace(token[end]!, "")) {
        const tampered = token.slice(0, end) + char + token.slice(end + 1);
        expect(signer.verify(tampered).ok).toBe(false);
      }
    }
  });

  it("refuses to start without a secret", () => {
    expect(() => createCallbackSigner({ secrets: [], ttlMs: TTL })).toThrow(ClaypipeError);
    expect(() => createCallbackSigner({ secrets: [""], ttlMs: TTL })).toThrow(ClaypipeError);
  });

  it("builds the callback URL with or without a trailing slash", () => {
    expect(callbackUrl("https://hooks.example.com", "t.s")).toBe(
      "https://hooks.example.com/v1/callbacks/clay/t.s",
    );
    expect(callbackUrl("https://hooks.example.com/base/", "t.s")).toBe(
      "https://hooks.example.com/base/v1/callbacks/clay/t.s",
    );
  });
});
