import { describe, expect, it } from "vitest";
import { createApiKeyVerifier } from "../../src/server/bearer-auth.js";

const KEY = "key-0123456789abcdef";
const OTHER = "other-key-0123456789";

describe("createApiKeyVerifier", () => {
  it("accepts any configured key as a Bearer token, the scheme in any case", () => {
    const verify = createApiKeyVerifier([KEY, OTHER]);
    expect(verify(`Bearer ${KEY}`)).toBe("ok");
    expect(verify(`bearer ${OTHER}`)).toBe("ok");
    expect(verify(`BEARER  ${KEY} `)).toBe("ok");
  });

  it("tells a missing key from a wrong one", () => {
    const verify = createApiKeyVerifier([KEY]);
    expect(verify(undefined)).toBe("missing");
    expect(verify("")).toBe("missing");
    expect(verify(`Basic ${KEY}`)).toBe("missing");
    expect(verify(KEY)).toBe("missing");
    expect(verify(`Bearer ${OTHER}`)).toBe("wrong");
    expect(verify(`Bearer ${KEY}x`)).toBe("wrong");
    expect(verify(`Bearer ${KEY.slice(0, -1)}`)).toBe("wrong");
    expect(verify(`Bearer ${"x".repeat(10_000)}`)).toBe("wrong");
  });

  it("is disabled, whatever is sent, when no key is configured", () => {
    const verify = createApiKeyVerifier([]);
    expect(verify(`Bearer ${KEY}`)).toBe("disabled");
    expect(verify(undefined)).toBe("disabled");
  });
});
