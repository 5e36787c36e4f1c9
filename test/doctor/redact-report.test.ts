/** The report's last guard: the config's secrets never leave in a line, addresses still do. */
import { describe, expect, it } from "vitest";
import { error } from "../../src/doctor/doctor-report.js";
import { redactChecks, secretValues } from "../../src/doctor/redact-report.js";

describe("redactChecks", () => {
  const config = {
    clay: { workspaces: [{ publicApi: { apiKey: "clay-key-0123456789" } }] },
    store: {
      postgres: {
        connectionString:
          "postgres://app:pg-pass-4242@db:5432/app?sslmode=require&sslpassword=tls-word-77",
      },
    },
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
          "the library said: password pg-pass-4242 is wrong (sslmode require, key tls-word-77)",
        ),
      ],
      secretValues(config),
    );
    expect(check!.found).toBe("refused (secret) at (secret)");
    expect(check!.hint).toBe(
      "the library said: password (secret) is wrong (sslmode require, key (secret))",
    );
  });

  it("replaces a short secret only as a whole word", () => {
    const [check] = redactChecks(
      [error("clay", "x", "at the key tk7 (tk7x is something else)", "")],
      secretValues({ publicApi: { apiKey: "tk7" } }),
    );
    expect(check!.found).toBe("at the key (secret) (tk7x is something else)");
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
