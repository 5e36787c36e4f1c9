import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../../src/core/errors.js";
import {
  createStandardWebhooks,
  decodeSigningSecret,
} from "../../../src/sinks/webhook/standard-webhooks.js";

// The test vector of the spec's reference libraries (standard-webhooks/libraries).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

/**
 * Written from the spec text, not from our module: the key is the base64 after
 * "whsec_", the content is "{msg_id}.{timestamp}.{payload}", the signature is
 * "v1," + base64(HMAC-SHA256).
 */
function specSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key)
    .update(`${id}.${timestamp}.${body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const NOW = 1_700_000_000_000;

describe("standard webhooks", () => {
  it("signs the reference test vector, with and without the whsec_ prefix", () => {
    expect(
      createStandardWebhooks(VECTOR.secret).sign(VECTOR.id, VECTOR.timestamp, VECTOR.body),
    ).toBe(VECTOR.signature);
    expect(
      createStandardWebhooks(VECTOR.secret.slice(6)).sign(VECTOR.id, VECTOR.timestamp, VECTOR.body),
    ).toBe(VECTOR.signature);
  });

  it("agrees with an implementation written from the spec", () => {
    const bodies = ['{"a":1}', '{"name":"Zoë — ✓","n":"line\\nbreak"}', ""];
    const webhooks = createStandardWebhooks(SECRET);
    for (const body of bodies) {
      const headers = webhooks.headers("msg_abc", NOW, body);
      expect(headers["webhook-timestamp"]).toBe(String(NOW / 1000));
      expect(headers["webhook-signature"]).toBe(specSignature(SECRET, "msg_abc", NOW / 1000, body));
      expect(webhooks.verify(Buffer.from(body), headers, { now: NOW })).toEqual({ ok: true });
    }
  });

  it("verifies a signature made by the spec implementation, headers in any case", () => {
    const body = '{"type":"lead.enriched"}';
    const timestamp = NOW / 1000;
    const headers = {
      "Webhook-Id": "msg_1",
      "WEBHOOK-TIMESTAMP": String(timestamp),
      "webhook-signature": specSignature(SECRET, "msg_1", timestamp, body),
    };
    expect(createStandardWebhooks(SECRET).verify(body, headers, { now: NOW })).toEqual({
      ok: true,
    });
  });

  it("refuses a changed body, id or timestamp, and another secret", () => {
    const webhooks = createStandardWebhooks(SECRET);
    const body = '{"a":1}';
    const headers = webhooks.headers("msg_1", NOW, body);
    const verify = (b: string, h: Record<string, string>) => webhooks.verify(b, h, { now: NOW });
    expect(verify('{"a":2}', { ...headers })).toEqual({ ok: false, reason: "bad_signature" });
    expect(verify(body, { ...headers, "webhook-id": "msg_2" })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verify(body, { ...headers, "webhook-timestamp": String(NOW / 1000 + 1) })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const other = createStandardWebhooks(`whsec_${Buffer.alloc(32, 8).toString("base64")}`);
    expect(other.verify(body, { ...headers }, { now: NOW })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refuses timestamps outside five minutes either way, and accepts them inside", () => {
    const webhooks = createStandardWebhooks(SECRET);
    const body = "{}";
    const at = (offsetMs: number) => webhooks.headers("msg_1", NOW + offsetMs, body);
    expect(webhooks.verify(body, at(-301_000), { now: NOW })).toEqual({
      ok: false,
      reason: "too_old",
    });
    expect(webhooks.verify(body, at(301_000), { now: NOW })).toEqual({
      ok: false,
      reason: "too_new",
    });
    expect(webhooks.verify(body, at(-299_000), { now: NOW })).toEqual({ ok: true });
    expect(webhooks.verify(body, at(299_000), { now: NOW })).toEqual({ ok: true });
  });

  it("refuses missing headers and a timestamp that is not a number", () => {
    const webhooks = createStandardWebhooks(SECRET);
    const headers = webhooks.headers("msg_1", NOW, "{}");
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      expect(webhooks.verify("{}", partial, { now: NOW })).toEqual({
        ok: false,
        reason: "missing_headers",
      });
    }
    expect(
      webhooks.verify("{}", { ...headers, "webhook-timestamp": "soon" }, { now: NOW }),
    ).toEqual({ ok: false, reason: "bad_timestamp" });
  });

  it("accepts any matching v1 signature among several (secret rotation) and skips other versions", () => {
    const webhooks = createStandardWebhooks(SECRET);
    const headers = webhooks.headers("msg_1", NOW, "{}");
    const valid = headers["webhook-signature"];
    const mac = valid.slice(3);
    const list = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,${mac} ${valid} v1,`;
    expect(webhooks.verify("{}", { ...headers, "webhook-signature": list }, { now: NOW })).toEqual({
      ok: true,
    });
    expect(
      webhooks.verify(
        "{}",
        { ...headers, "webhook-signature": `v2,${mac} ${valid.slice(0, 12)}` },
        { now: NOW },
      ),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses secrets that are not base64 or too short, with a hint", () => {
    for (const secret of ["whsec_not base64!", "whsec_", "whsec_c2hvcnQ=", "plain text secret"]) {
      const attempt = () => decodeSigningSecret(secret);
      expect(attempt).toThrow(ClaypipeError);
      try {
        attempt();
      } catch (error) {
        expect((error as ClaypipeError).code).toBe("config_invalid");
        expect((error as ClaypipeError).hint).toMatch(/openssl rand -base64 32/);
      }
    }
  });
});
