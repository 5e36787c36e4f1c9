import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postRow } from "../../src/clay/webhook-client.js";
import { startEmulator } from "../../src/emulator/index.js";
import { parseRetryAfter } from "../../src/net/retry-after.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
  });

  it("reads an HTTP date, and a past date as no wait", () => {
    expect(parseRetryAfter("Sun, 01 Mar 2026 12:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
  });
});

describe("postRow against the emulator", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeEach(async () => {
    emulator = await startEmulator({
      workspaces: [
        {
          id: "ws",
          tables: [{ id: "t", autoRun: false, webhooks: [{ authToken: "secret-token" }] }],
        },
      ],
    });
  });
  // One emulator per test: its close() waits on connections whose client aborted mid-request.
  afterEach(() => emulator.close());

  const post = (overrides: Partial<Parameters<typeof postRow>[0]> = {}) =>
    postRow({
      url: emulator.webhookUrl("t"),
      authToken: "secret-token",
      body: JSON.stringify({ email: "a@example.com" }),
      timeoutMs: 5_000,
      ...overrides,
    });

  it("posts the row with the auth header and reports the status", async () => {
    expect(await post()).toEqual({ kind: "response", status: 200, retryAfterMs: undefined });
    expect(await post({ authToken: undefined })).toMatchObject({ kind: "response", status: 401 });
    expect(emulator.control.rows("t").map((row) => row.fields)).toEqual([
      { email: "a@example.com" },
    ]);
  });

  it("reports Retry-After on 429", async () => {
    emulator.control.setFaults({ rateLimitStorm: { durationMs: 5_000, retryAfterSeconds: 3 } });
    expect(await post()).toEqual({ kind: "response", status: 429, retryAfterMs: 3_000 });
    emulator.control.clearFaults();
  });

  it("reports a timeout as a network error", async () => {
    emulator.control.setFaults({ webhookLatencyMs: 1_000 });
    expect(await post({ timeoutMs: 50 })).toEqual({
      kind: "network_error",
      reason: "timed out",
      timedOut: true,
    });
    emulator.control.clearFaults();
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    emulator.control.setFaults({ webhookLatencyMs: 1_000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error("caller stopped")), 50);
    await expect(post({ signal: abort.signal })).rejects.toThrow("caller stopped");
    emulator.control.clearFaults();
  });

  it("reports a refused connection as a network error with its code", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    expect(await post({ url: `http://127.0.0.1:${port}/webhook` })).toEqual({
      kind: "network_error",
      reason: "ECONNREFUSED",
      timedOut: false,
      notSent: "connection refused",
    });
  });
});
