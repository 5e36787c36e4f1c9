/** Whether Clay, which is hosted, can reach `callbacks.baseUrl`, judged against `server.host`. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { callbacksChecks } from "../../src/doctor/callbacks-check.js";

function judge(baseUrl: string, host: string) {
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          tables: [{ name: "t", webhooks: [{ url: "https://api.clay.com/v3/sources/webhook/x" }] }],
        },
      ],
    },
    callbacks: { baseUrl, secret: "s".repeat(32) },
    server: { host },
  });
  const [check] = callbacksChecks(config);
  return check!.level;
}

describe("callbacks.baseUrl", () => {
  it.each([
    ["http://127.0.0.1:8787", "0.0.0.0", "error"],
    ["http://localhost:8787", "::", "error"],
    ["http://10.0.4.2:8787", "0.0.0.0", "error"],
    ["http://192.168.1.20", "203.0.113.7", "error"],
    ["https://claypipe.example.com", "127.0.0.1", "error"],
    ["http://claypipe.acme.io", "0.0.0.0", "warning"],
    ["https://claypipe.acme.io", "0.0.0.0", "ok"],
    ["http://127.0.0.1:8787", "127.0.0.1", "ok"],
    ["https://claypipe.acme.io", "127.0.0.1", "ok"],
  ])("%s with server.host %s: %s", (baseUrl, host, level) => {
    expect(judge(baseUrl, host)).toBe(level);
  });
});
