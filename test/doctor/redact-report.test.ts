/** The report's last guard: the config's secrets never leave in a line, addresses still do. */
import { describe, expect, it } from "vitest";
import { error } from "../../src/doctor/doctor-report.js";
import { redactChecks, secretValues } from "../../src/doctor/redact-report.js";

describe("redactChecks", () => {
  const config = {
    clay: { workspaces: [{ publicApi: { apiKey: "clay-key-0123456789" } }] },
    store: { postgres: { connectionString: "postgres://app:pg-pass-4242@db:5432/app" } },
    queue: { redis: { connectionString: "redis://127.0.0.1:6379" } },
    sinks: [{ webhookUrl: "https://hooks.slack.com/services/T0/B0/xyz-secret" }],
    callbacks: { baseUrl: "https://claypipe.acme.io" },
  };

  it("replaces every secret value and each connection string's password", () => {
    const [check] = redactChecks(
      [
        error(
          "sinks",
          "x",
          "refused clay-key-0123456789 at https://hooks.slack.com/services/T0/B0/xyz-secret",
          "the library said: password pg-pass-4242 is wrong",
        ),
      ],
      secretValues(config),
    );
    expect(check!.found).toBe("refused (secret) at (secret)");
    expect(check!.hint).toBe("the library said: password (secret) is wrong");
  });

  it("keeps addresses: a connection string is secret only in its password", () => {
    const [check] = redactChecks(
      [
        error(
          "queue",
          "queue.redis",
          "Redis at redis://127.0.0.1:6379 and https://claypipe.acme.io",
          "",
        ),
      ],
      secretValues(config),
    );
    expect(check!.found).toBe("Redis at redis://127.0.0.1:6379 and https://claypipe.acme.io");
  });
});
