import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig, UNUSED_SECRETS } from "../../src/config/load-config.js";
import { starterConfig } from "../../src/config/starter-config.js";
import { requireSet } from "../../src/config/unset-variable.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";

afterEach(removeTempDirs);

const MINIMAL = `
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc
              authToken: \${CLAY_WEBHOOK_TOKEN}
`;

function failure(run: () => unknown): ClaypipeError {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) return thrown;
    throw thrown;
  }
  throw new Error("expected a ClaypipeError");
}

describe("parseConfig", () => {
  it("fills every default and resolves ${ENV} references", () => {
    const config = parseConfig(MINIMAL, { env: { CLAY_WEBHOOK_TOKEN: "tok-123" } });
    expect(config.tier).toBe("direct");
    const workspace = config.clay.workspaces[0]!;
    expect(workspace.rateLimit).toEqual({ perSecond: 10, burst: 20 });
    expect(workspace.tables[0]!.rowLimit).toBe(50_000);
    expect(workspace.tables[0]!.webhooks[0]).toMatchObject({
      authToken: "tok-123",
      submissionLimit: 50_000,
    });
    expect(config.sender).toMatchObject({
      concurrency: 4,
      initialBackoff: 500,
      maxBackoff: 60_000,
    });
    expect(Object.isFrozen(config.clay.workspaces[0]!.tables)).toBe(true);
  });

  it("names a missing environment variable and its key path", () => {
    const error = failure(() => parseConfig(MINIMAL, { env: {} }));
    expect(error.code).toBe("config_invalid");
    expect(error.message).toContain("clay.workspaces[0].tables[0].webhooks[0].authToken");
    expect(error.message).toContain("CLAY_WEBHOOK_TOKEN is not set");
  });

  it("treats ${VAR:-} as optional and ${VAR:-x} as a default", () => {
    const text = MINIMAL.replace("${CLAY_WEBHOOK_TOKEN}", "${CLAY_WEBHOOK_TOKEN:-}").replace(
      "name: main",
      "name: ${WS_NAME:-fallback}",
    );
    const config = parseConfig(text, { env: {} });
    expect(config.clay.workspaces[0]!.name).toBe("fallback");
    expect(config.clay.workspaces[0]!.tables[0]!.webhooks[0]!.authToken).toBeUndefined();
  });

  it("refuses a secret written into the file, without echoing it", () => {
    const error = failure(() =>
      parseConfig(MINIMAL.replace("${CLAY_WEBHOOK_TOKEN}", "hunter2-literal"), { env: {} }),
    );
    expect(error.message).toContain(
      "webhooks[0].authToken: secrets must come from the environment",
    );
    expect(error.message).not.toContain("hunter2-literal");
  });

  it("refuses literal secrets in lists too (server.apiKeys)", () => {
    const text = `${MINIMAL}\nserver:\n  apiKeys: [ "a-literal-key-0123456789" ]\n`;
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toContain("server.apiKeys[0]: secrets must come from the environment");
  });

  it("refuses an alert target's Slack webhook URL written into the file, and takes one from the environment", () => {
    const literal = "https://hooks.slack.com/services/T0/B0/literal-token";
    const alerts = (url: string) =>
      `${MINIMAL}\ntier: standard\ncallbacks: { baseUrl: "https://hooks.example.com", secret: "\${CB_SECRET}" }\nalerts:\n  targets:\n    - { type: slack, webhookUrl: "${url}" }\n`;
    const error = failure(() => parseConfig(alerts(literal), { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toContain(
      "alerts.targets[0].webhookUrl: secrets must come from the environment",
    );
    expect(error.message).not.toContain("literal-token");
    const config = parseConfig(alerts("${SLACK_ALERTS_URL}"), {
      env: {
        CLAY_WEBHOOK_TOKEN: "t",
        CB_SECRET: "0123456789abcdef0123456789abcdef",
        SLACK_ALERTS_URL: literal,
      },
    });
    expect(config.alerts).toMatchObject({
      targets: [{ type: "slack", webhookUrl: literal }],
      creditCap: [0.8, 1],
      callbackSilence: 15 * 60_000,
    });
  });

  it("refuses alerts on the direct tier, which runs no checks to alert from", () => {
    const text = `${MINIMAL}\nalerts:\n  targets:\n    - { type: webhook, url: "https://ops.example.com/alerts" }\n`;
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toContain("alerts: the direct tier runs no background checks");
  });

  it("names the key path, the value found and what is expected", () => {
    const text = MINIMAL.replace("name: main", "name: main\n      rateLimit: { perSecond: -3 }");
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toMatch(/clay\.workspaces\[0\]\.rateLimit\.perSecond: .*; found -3/);
    expect(error.hint).toContain("docs/config.md");
  });

  it("lists every problem at once, unknown keys included", () => {
    const text = `${MINIMAL}\nsender:\n  concurency: 3\n  initialBackoff: soon\n`;
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toContain("sender.concurency: unknown key");
    expect(error.message).toMatch(/sender\.initialBackoff: expected a duration.*found "soon"/);
  });

  it("rejects a webhook that is not a URL and a table without webhooks", () => {
    const text = MINIMAL.replace(
      "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc",
      "not a url",
    );
    expect(
      failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } })).message,
    ).toContain(
      'webhooks[0].url: expected the webhook URL Clay shows for the table\'s source; found "not a url"',
    );
    const empty = `clay:\n  workspaces:\n    - name: main\n      tables:\n        - name: leads\n          webhooks: []\n`;
    expect(failure(() => parseConfig(empty, { env: {} })).message).toContain(
      "a table needs at least one webhook source",
    );
  });

  it("refuses two file sinks on one file, naming both", () => {
    const error = failure(() =>
      parseConfig(
        `${MINIMAL}
sinks:
  - { name: hot, type: file, path: ./out/leads.jsonl }
  - { name: all, type: file, path: out/../out/leads.jsonl, format: csv }
`,
        { env: { CLAY_WEBHOOK_TOKEN: "tok" } },
      ),
    );
    expect(error.message).toContain(
      'sinks[1].path: sink "all" writes the same file as sink "hot": give each file sink its own path',
    );
  });

  it("says where the YAML is broken", () => {
    const error = failure(() =>
      parseConfig("clay:\n  workspaces: [\n", { env: {}, source: "my.yaml" }),
    );
    expect(error.message).toMatch(/^my\.yaml is not valid YAML: .*line/s);
  });

  it("rejects a callback secret shorter than 32 characters", () => {
    const text = `${MINIMAL}\ncallbacks:\n  baseUrl: https://hooks.example.com\n  secret: \${CB_SECRET}\n`;
    const error = failure(() =>
      parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t", CB_SECRET: "short" } }),
    );
    expect(error.message).toContain("callbacks.secret: use at least 32 random characters");
    expect(error.message).toContain("(secret, not shown)");
    expect(error.message).not.toContain('short"');
  });
});

describe("config errors people can act on", () => {
  const STANDARD_ENV = {
    CLAYPIPE_CALLBACK_SECRET: "s".repeat(40),
    CLAYPIPE_API_KEY: "k".repeat(20),
  };

  it("never echoes a secret from a list of secrets, valid or not", () => {
    const text = `${MINIMAL}\nserver:\n  apiKeys: [ "\${KEY_A}", "\${KEY_B}" ]\n`;
    const env = { CLAY_WEBHOOK_TOKEN: "t", KEY_A: "SHORTKEY123", KEY_B: "a-long-enough-valid-key" };
    const error = failure(() => parseConfig(text, { env }));
    expect(error.message).toContain("server.apiKeys[0]: use at least 16 random characters");
    expect(error.message).toContain("(secret, not shown)");
    expect(error.message).not.toContain("SHORTKEY123");
  });

  it("never echoes a secret inside a value shown for the key above it", () => {
    const text = MINIMAL.replace(
      "            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc\n              authToken:",
      "            url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc\n            authToken:",
    );
    const error = failure(() =>
      parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "tok-SECRET-xyz" } }),
    );
    expect(error.message).toContain("webhooks:");
    expect(error.message).not.toContain("tok-SECRET-xyz");
    const postgres = `${MINIMAL}\nstore:\n  postgres: "\${DATABASE_URL}"\n`;
    const env = { CLAY_WEBHOOK_TOKEN: "t", DATABASE_URL: "postgres://u:pw-SECRET@db/x" };
    expect(failure(() => parseConfig(postgres, { env })).message).not.toContain("pw-SECRET");
  });

  it("says a missing secret variable in one line: the variable to set and the key that needs it", () => {
    const error = failure(() => parseConfig(starterConfig("standard"), { env: {} }));
    const lines = error.message.split("\n");
    const about = (key: string) => lines.filter((line) => line.includes(key));
    expect(about("callbacks.secret")).toEqual([
      expect.stringMatching(/callbacks\.secret: .*CLAYPIPE_CALLBACK_SECRET is not set/),
    ]);
    expect(about("server.apiKeys[0]")).toEqual([
      expect.stringMatching(/server\.apiKeys\[0\]: .*CLAYPIPE_API_KEY is not set/),
    ]);
    expect(error.message).not.toContain("Invalid input");
  });

  it("says a required key is missing in words, not in validator text", () => {
    const text = `${MINIMAL}\ncallbacks:\n  baseUrl: https://hooks.example.com\n`;
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.message).toContain("callbacks.secret: missing");
    expect(error.message).not.toContain("Invalid input");
  });

  it("names each enrichIf rule that does not compile by its key path", () => {
    const text = `${MINIMAL}
enrichIf:
  - { name: no_free_mail, when: 'email_domain not in ["gmail.com"]' }
  - { name: broken, when: "title ==", sources: [crm] }
`;
    const error = failure(() => parseConfig(text, { env: { CLAY_WEBHOOK_TOKEN: "t" } }));
    expect(error.code).toBe("config_invalid");
    expect(error.message).toContain("enrichIf[1].when: unexpected end of expression at column 9");
    expect(error.message).toContain('enrichIf[1].sources: no source named "crm" (sources: api)');
    expect(error.message).not.toContain("enrichIf[0]");
  });

  it("suggests the closest valid key for a mistyped one", () => {
    const text = starterConfig("standard")
      .replace("  deadline: 30m", "  deadlien: 30m")
      .replace("  retryOnce: true", "  RetryOnce: true")
      .replace("    format: csv", "    fromat: csv")
      .replace("logLevel: info", "logLevel: info\nsender:\n  concurency: 2\n  zzzzzz: 1");
    const error = failure(() => parseConfig(text, { env: STANDARD_ENV }));
    expect(error.message).toContain("callbacks.deadlien: unknown key; did you mean `deadline`?");
    expect(error.message).toContain("callbacks.RetryOnce: unknown key; did you mean `retryOnce`?");
    expect(error.message).toContain("sinks[1].fromat: unknown key; did you mean `format`?");
    expect(error.message).toContain("sender.concurency: unknown key; did you mean `concurrency`?");
    expect(error.message).toMatch(
      /sender\.zzzzzz: unknown key: check its spelling and indentation/,
    );
  });
});

describe("sink-only variables", () => {
  const SINKS = `
sinks:
  - { name: archive, type: file, path: "out/leads-\${WORKER_NAME}.jsonl" }
  - { name: hook, type: webhook, url: "https://hooks.example.com/x", secret: "\${HOOK_SECRET}" }
routes: { default: [archive, hook] }
`;

  it("may be unset for a process that never delivers, and stay as written", () => {
    const config = parseConfig(`${MINIMAL}${SINKS}`, {
      env: { CLAY_WEBHOOK_TOKEN: "t" },
      sinkVariables: "deferred",
    });
    expect(config.sinks.map((sink) => sink.name)).toEqual(["archive", "hook"]);
    expect(config.sinks[0]).toMatchObject({ path: "out/leads-${WORKER_NAME}.jsonl" });
  });

  it("include the bus connection bus sinks publish to", () => {
    const BUS = `
bus: { nats: { servers: "nats://127.0.0.1:4222", user: claypipe, password: "\${NATS_PASSWORD}" } }
sinks:
  - { name: events, type: bus, topic: enriched.contacts }
routes: { default: [events] }
`;
    const config = parseConfig(`${MINIMAL}${BUS}`, {
      env: { CLAY_WEBHOOK_TOKEN: "t" },
      sinkVariables: "deferred",
    });
    // A secret's stand-in, which any code that uses it refuses, naming the variable.
    expect(JSON.stringify(config.bus?.nats)).toContain("unset:NATS_PASSWORD");
    const error = failure(() =>
      parseConfig(`${MINIMAL}${BUS}`, { env: { CLAY_WEBHOOK_TOKEN: "t" } }),
    );
    expect(error.message).toContain(
      "bus.nats.password: the environment variable NATS_PASSWORD is not set",
    );
  });

  it("do not include the event tier's bus, which every event-tier process needs", () => {
    const error = failure(() =>
      parseConfig(`tier: event\n${MINIMAL}bus: { nats: { servers: "\${NATS_URL}" } }\n`, {
        env: { CLAY_WEBHOOK_TOKEN: "t" },
        sinkVariables: "deferred",
      }),
    );
    expect(error.message).toContain(
      "bus.nats.servers: the environment variable NATS_URL is not set",
    );
  });

  it("are required by default, which start (worker, all) uses", () => {
    const error = failure(() =>
      parseConfig(`${MINIMAL}${SINKS}`, { env: { CLAY_WEBHOOK_TOKEN: "t" } }),
    );
    expect(error.message).toContain(
      "sinks[0].path: the environment variable WORKER_NAME is not set",
    );
    expect(error.message).toContain(
      "sinks[1].secret: the environment variable HOOK_SECRET is not set",
    );
  });

  it("only wait in sinks, and not where the sink cannot be checked without them", () => {
    const error = failure(() =>
      parseConfig(`${MINIMAL}${SINKS.replace("https://hooks.example.com/x", "${HOOK_URL}")}`, {
        env: {},
        sinkVariables: "deferred",
      }),
    );
    expect(error.message).toContain("CLAY_WEBHOOK_TOKEN is not set");
    expect(error.message).toContain("sinks[1].url: the environment variable HOOK_URL is not set");
    expect(error.message).not.toContain("WORKER_NAME");
    expect(error.message).not.toContain("HOOK_SECRET");
  });
});

describe("secrets a command never uses", () => {
  const SECRETS = `
callbacks: { baseUrl: "https://claypipe.example.com", secret: "\${CB_SECRET}" }
server: { apiKeys: ["\${API_KEY}"] }
`;
  const WITH_PUBLIC_API = MINIMAL.replace(
    "      tables:",
    '      publicApi: { apiKey: "${CLAY_API_KEY}" }\n      tables:',
  );

  it("may be unset for a read-only command, and any code that uses one names its variable", () => {
    const config = parseConfig(`${WITH_PUBLIC_API}${SECRETS}`, {
      env: { CLAY_WEBHOOK_TOKEN: "t" },
      unusedSecrets: UNUSED_SECRETS,
    });
    const used = failure(() => requireSet(config.callbacks!.secret, "callbacks.secret"));
    expect(used.message).toBe("callbacks.secret: the environment variable CB_SECRET is not set");
    expect(
      failure(() => requireSet(config.server.apiKeys[0]!, "server.apiKeys")).message,
    ).toContain("API_KEY is not set");
    const apiKey = config.clay.workspaces[0]!.publicApi!.apiKey;
    expect(failure(() => requireSet(apiKey, "publicApi.apiKey")).message).toContain(
      "CLAY_API_KEY is not set",
    );
  });

  it("are required by default (start, send), and a variable outside them still is", () => {
    const error = failure(() =>
      parseConfig(`${WITH_PUBLIC_API}${SECRETS}`, { env: {}, unusedSecrets: UNUSED_SECRETS }),
    );
    expect(error.message).toContain("CLAY_WEBHOOK_TOKEN is not set");
    expect(error.message).not.toContain("CB_SECRET");
    const required = failure(() =>
      parseConfig(`${WITH_PUBLIC_API}${SECRETS}`, { env: { CLAY_WEBHOOK_TOKEN: "t" } }),
    );
    expect(required.message).toContain(
      "callbacks.secret: the environment variable CB_SECRET is not set",
    );
    expect(required.message).toContain("API_KEY is not set");
    expect(required.message).toContain("CLAY_API_KEY is not set");
  });

  it("an empty variable is said to be set but empty, not unset", () => {
    const error = failure(() => parseConfig(MINIMAL, { env: { CLAY_WEBHOOK_TOKEN: "" } }));
    expect(error.message).toContain("the environment variable CLAY_WEBHOOK_TOKEN is set but empty");
    expect(error.message).not.toContain("CLAY_WEBHOOK_TOKEN is not set");
  });
});

describe("loadConfigFile", () => {
  it("says how to start when the file is missing", () => {
    const error = failure(() => loadConfigFile(join(tmpdir(), "nope", "claypipe.config.yaml")));
    expect(error.code).toBe("config_not_found");
    expect(error.hint).toContain("claypipe init");
  });

  it("reads .env beside the file, without overriding the real environment", () => {
    const dir = makeTempDir("config");
    writeFileSync(join(dir, "claypipe.config.yaml"), MINIMAL);
    writeFileSync(join(dir, ".env"), "CLAY_WEBHOOK_TOKEN=from-dotenv\n");
    const config = loadConfigFile(join(dir, "claypipe.config.yaml"));
    expect(config.clay.workspaces[0]!.tables[0]!.webhooks[0]!.authToken).toBe("from-dotenv");
  });
});

describe("starter configs", () => {
  it("the standard tier's starter loads once its secrets are set, and names them when not", () => {
    const env = { CLAYPIPE_CALLBACK_SECRET: "s".repeat(40), CLAYPIPE_API_KEY: "k".repeat(20) };
    const config = parseConfig(starterConfig("standard"), { env });
    expect(config.tier).toBe("standard");
    expect(config.routes.rules[0]!.when).toBe("icp_score >= 80 and work_email");
    const error = failure(() => parseConfig(starterConfig("standard"), { env: {} }));
    expect(error.message).toContain("CLAYPIPE_CALLBACK_SECRET is not set");
    expect(error.message).toContain("CLAYPIPE_API_KEY is not set");
  });

  it("the standard tier's commented enrichIf example loads once uncommented", () => {
    const env = { CLAYPIPE_CALLBACK_SECRET: "s".repeat(40), CLAYPIPE_API_KEY: "k".repeat(20) };
    const text = starterConfig("standard").replace(
      /# enrichIf:\n# {3}- name: (.*)\n# {5}when: (.*)\n/,
      "enrichIf:\n  - name: $1\n    when: $2\n",
    );
    expect(text).not.toBe(starterConfig("standard"));
    expect(parseConfig(text, { env }).enrichIf).toEqual([
      {
        name: "no_free_mail",
        when: 'email_domain not in ["gmail.com", "yahoo.com", "hotmail.com"]',
      },
    ]);
  });

  it("the queue tier's starter loads once its connection strings are set, and names them when not", () => {
    const env = {
      CLAYPIPE_CALLBACK_SECRET: "s".repeat(40),
      CLAYPIPE_API_KEY: "k".repeat(20),
      DATABASE_URL: "postgres://claypipe@db:5432/claypipe",
      REDIS_URL: "redis://redis:6379/0",
    };
    const config = parseConfig(starterConfig("queue"), { env });
    expect(config.tier).toBe("queue");
    expect(config.store.postgres?.connectionString).toBe(env.DATABASE_URL);
    expect(config.queue?.redis.connectionString).toBe(env.REDIS_URL);
    expect(config.sources.map((source) => source.priority)).toEqual([0, 10]);
    const { DATABASE_URL: _database, REDIS_URL: _redis, ...withoutUrls } = env;
    const error = failure(() => parseConfig(starterConfig("queue"), { env: withoutUrls }));
    expect(error.message).toContain("DATABASE_URL is not set");
    expect(error.message).toContain("REDIS_URL is not set");
  });

  it("the queue tier's starter delivers where several workers can share: no file sink", () => {
    const env = {
      CLAYPIPE_CALLBACK_SECRET: "s".repeat(40),
      CLAYPIPE_API_KEY: "k".repeat(20),
      DATABASE_URL: "postgres://claypipe@db:5432/claypipe",
      REDIS_URL: "redis://redis:6379/0",
    };
    const config = parseConfig(starterConfig("queue"), { env });
    expect(config.sinks.length).toBeGreaterThan(0);
    expect(config.sinks.filter((sink) => sink.type === "file")).toEqual([]);
  });

  it("the event tier's starter loads once its connection strings are set, and names them when not", () => {
    const env = {
      CLAYPIPE_CALLBACK_SECRET: "s".repeat(40),
      CLAYPIPE_API_KEY: "k".repeat(20),
      DATABASE_URL: "postgres://claypipe@db:5432/claypipe",
      REDIS_URL: "redis://redis:6379/0",
      NATS_URL: "nats://nats:4222",
    };
    const config = parseConfig(starterConfig("event"), { env });
    expect(config.tier).toBe("event");
    expect(config.bus).toMatchObject({
      nats: { servers: env.NATS_URL },
      topics: { incoming: "leads.incoming", deadLetters: "dlq.clay" },
    });
    expect(config.queue?.redis.connectionString).toBe(env.REDIS_URL);
    expect(config.sinks.filter((sink) => sink.type === "file")).toEqual([]);
    const { NATS_URL: _nats, ...withoutNats } = env;
    const error = failure(() => parseConfig(starterConfig("event"), { env: withoutNats }));
    expect(error.message).toContain("NATS_URL is not set");
  });

  it("the direct tier's starter loads with and without its optional secrets", () => {
    expect(parseConfig(starterConfig("direct"), { env: {} }).tier).toBe("direct");
    const withToken = parseConfig(starterConfig("direct"), { env: { CLAY_WEBHOOK_TOKEN: "tok" } });
    expect(withToken.clay.workspaces[0]!.tables[0]!.webhooks[0]!.authToken).toBe("tok");
  });
});
