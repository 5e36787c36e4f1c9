/**
 * The parts of HubSpot's v3 signature that requests over HTTP barely reach:
 * which percent-encodings of the URI are decoded before signing, and the edges
 * of the 5-minute window.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  HUBSPOT_MAX_AGE_MS,
  hubspotSignatureUri,
  verifyHubspotSignature,
} from "../../../src/intake/sources/hubspot-signature.js";

describe("hubspotSignatureUri", () => {
  it("decodes exactly the characters HubSpot lists, in either case of hex", () => {
    const listed = "%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B";
    expect(hubspotSignatureUri(`https://a.example/p?q=${listed}`)).toBe(
      "https://a.example/p?q=:/?@!$'()*,;",
    );
    expect(hubspotSignatureUri("https://a.example/p?q=%3a%2c")).toBe("https://a.example/p?q=:,");
    // Others stay encoded: a space, &, =, #, + and % itself.
    const kept = "https://a.example/p?q=%20%26%3D%23%2B%25";
    expect(hubspotSignatureUri(kept)).toBe(kept);
  });
});

describe("verifyHubspotSignature", () => {
  const secret = "client-secret";
  const uri = "https://hooks.example.com/v1/hubspot/hs";
  const body = '[{"objectId":1}]';
  const sign = (timestamp: number) =>
    createHmac("sha256", secret).update(`POST${uri}${body}${timestamp}`).digest("base64");
  const check = (timestamp: number, now: number, signature = sign(timestamp)) =>
    verifyHubspotSignature(
      secret,
      { method: "post", uri, body, signature, timestamp: String(timestamp) },
      now,
    );

  it("takes a request up to 5 minutes old or ahead, and refuses one past that", () => {
    const now = 1_700_000_000_000;
    expect(check(now, now)).toBe("ok");
    expect(check(now - HUBSPOT_MAX_AGE_MS, now)).toBe("ok");
    expect(check(now - HUBSPOT_MAX_AGE_MS - 1, now)).toBe("expired");
    expect(check(now + HUBSPOT_MAX_AGE_MS + 1, now)).toBe("expired");
  });

  it("refuses a signature of another request, and one padded with characters base64 ignores", () => {
    const now = 1_700_000_000_000;
    expect(check(now, now, sign(now - 1))).toBe("bad_signature");
    expect(check(now, now, `${sign(now)}!!`)).toBe("bad_signature");
    expect(check(now, now, "")).toBe("missing");
  });
});
