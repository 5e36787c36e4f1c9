import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyOutcome } from "../../src/clay/retry-policy.js";
import { createBackoff } from "../../src/net/backoff.js";

describe("backoff", () => {
  it("keeps every delay between initialBackoff and maxBackoff, for both jitters", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom("full" as const, "decorrelated" as const),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 30,
        }),
        (initial, extra, jitter, draws) => {
          const max = initial + extra;
          let draw = 0;
          const backoff = createBackoff({
            initialBackoffMs: initial,
            maxBackoffMs: max,
            jitter,
            random: () => draws[draw++ % draws.length]!,
          });
          for (let retry = 0; retry < draws.length; retry++) {
            const delay = backoff.next();
            expect(delay).toBeGreaterThanOrEqual(initial);
            expect(delay).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it("full jitter doubles its ceiling each retry up to the cap", () => {
    const backoff = createBackoff({ initialBackoffMs: 100, maxBackoffMs: 1_000, random: () => 1 });
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([200, 400, 800, 1_000, 1_000]);
    const low = createBackoff({ initialBackoffMs: 100, maxBackoffMs: 1_000, random: () => 0 });
    expect([1, 2, 3].map(() => low.next())).toEqual([100, 100, 100]);
  });

  it("decorrelated jitter grows from the previous delay", () => {
    const backoff = createBackoff({
      initialBackoffMs: 100,
      maxBackoffMs: 1_000,
      jitter: "decorrelated",
      random: () => 1,
    });
    expect([1, 2, 3].map(() => backoff.next())).toEqual([300, 900, 1_000]);
  });
});

describe("classifyOutcome", () => {
  const response = (status: number, retryAfterMs?: number) =>
    classifyOutcome({ kind: "response", status, retryAfterMs });

  it("takes 2xx as success", () => {
    expect(response(200)).toEqual({ action: "success" });
    expect(response(204)).toEqual({ action: "success" });
  });

  it("retries 429 as rate limited, keeping Retry-After", () => {
    expect(response(429, 2_000)).toMatchObject({
      action: "retry",
      rateLimited: true,
      retryAfterMs: 2_000,
    });
  });

  it.each([408, 500, 502, 503, 504])("retries %i", (status) => {
    expect(response(status)).toMatchObject({ action: "retry", rateLimited: false });
  });

  it("retries network errors and timeouts, saying which", () => {
    expect(
      classifyOutcome({ kind: "network_error", reason: "ECONNREFUSED", timedOut: false }),
    ).toMatchObject({ action: "retry", reason: expect.stringContaining("ECONNREFUSED") });
    expect(
      classifyOutcome({ kind: "network_error", reason: "timed out", timedOut: true }),
    ).toMatchObject({
      action: "retry",
      reason: expect.stringContaining("requestTimeout"),
    });
  });

  it.each([
    [400, /bad JSON/],
    [401, /auth token.*set authToken/],
    [403, /50,000 lifetime limit.*add a new webhook source/],
    [404, /no webhook source at that URL.*copy the URL/],
    [410, /gone/],
    [413, /too large/],
    [422, /refused the row \(422\)/],
    [501, /refused the row \(501\)/],
    [302, /redirect/],
  ])("takes %i as final with a reason to act on", (status, reason) => {
    const verdict = response(status);
    expect(verdict).toMatchObject({ action: "final", httpStatus: status });
    expect(verdict.action === "final" && verdict.reason).toMatch(reason);
  });

  it("marks a refusal of the webhook as configured (its URL or auth token) as a config error", () => {
    const setting = (status: number) => {
      const verdict = response(status);
      return verdict.action === "final" ? verdict.configError : "not final";
    };
    expect([401, 403, 404, 410].map(setting)).toEqual(["authToken", "authToken", "url", "url"]);
    expect([400, 413, 422, 302].map(setting)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
