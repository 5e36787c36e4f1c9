/**
 * The top-level `bus` section and the bus sink's keys: defaults, one line per
 * problem with its key path, a did-you-mean for a misspelt key, secrets only
 * from the environment and never echoed, and a bus sink refused without a bus.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { ClaypipeError } from "../../src/core/errors.js";

const MINIMAL = `
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc
`;

const SINK = `
sinks:
  - { name: events, type: bus, topic: enriched.contacts }
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, { env });
  } catch (thrown) {
    if (!(thrown instanceof ClaypipeError)) throw thrown;
    expect(thrown.code).toBe("config_invalid");
    return thrown.message.split("\n").slice(1);
  }
  throw new Error("expected the config to be refused");
}

describe("the bus config", () => {
  it("fills the defaults of a NATS bus and a bus sink", () => {
    const config = parseConfig(`${MINIMAL}bus:\n  nats: {}\n${SINK}`, { env: {} });
    expect(config.bus).toEqual({
      nats: { servers: "nats://127.0.0.1:4222", ackWait: 30_000 },
      topics: {
        incoming: "leads.incoming",
        deadLetters: "dlq.clay",
        enriched: "enriched.contacts",
        leadEvents: "claypipe.lead-events",
      },
      enricherGroup: "claypipe-enricher",
      routerGroup: "claypipe-router",
    });
    expect(config.sinks[0]).toMatchObject({
      type: "bus",
      topic: "enriched.contacts",
      eventSource: "claypipe",
      eventType: "com.claypipe.lead.routed",
    });
  });

  it("takes a Kafka bus with SASL, its password from the environment", () => {
    const text = `${MINIMAL}bus:
  kafka:
    brokers: [kafka-1:9092, kafka-2:9092]
    tls: true
    sasl: { mechanism: scram-sha-512, username: claypipe, password: "\${KAFKA_PASSWORD}" }
`;
    const config = parseConfig(text, { env: { KAFKA_PASSWORD: "pw" } });
    expect(config.bus?.kafka).toEqual({
      brokers: ["kafka-1:9092", "kafka-2:9092"],
      clientId: "claypipe",
      tls: true,
      sasl: { mechanism: "scram-sha-512", username: "claypipe", password: "pw" },
    });
  });

  it("suggests the key a misspelt one was meant to be", () => {
    expect(problems(`${MINIMAL}bus:\n  nats:\n    server: nats://x:4222\n`)).toEqual([
      "  - bus.nats.server: unknown key; did you mean `servers`?",
    ]);
    expect(problems(`${MINIMAL}bus:\n  natz: {}\n`)).toContain(
      "  - bus.natz: unknown key; did you mean `nats`?",
    );
  });

  it("wants exactly one broker, in one line", () => {
    const both = problems(`${MINIMAL}bus:\n  nats: {}\n  kafka: { brokers: [k:9092] }\n`);
    expect(both).toEqual([
      expect.stringMatching(/^ {2}- bus: set exactly one of bus\.nats \(servers\) or bus\.kafka/),
    ]);
    expect(problems(`${MINIMAL}bus: {}\n`)).toHaveLength(1);
  });

  it("refuses a secret written into the file, and never shows it", () => {
    const lines = problems(
      `${MINIMAL}bus:\n  nats: { user: claypipe, password: hunter2-literal }\n`,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("bus.nats.password");
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("refuses a user without a password, and a token with a user", () => {
    expect(problems(`${MINIMAL}bus:\n  nats: { user: claypipe }\n`)).toEqual([
      expect.stringContaining("bus.nats.password: user and password go together"),
    ]);
    const text = `${MINIMAL}bus:\n  nats: { user: u, password: "\${P}", token: "\${T}" }\n`;
    expect(problems(text, { P: "p", T: "t" })).toEqual([
      expect.stringContaining("bus.nats.token: a server checks either a token or a user"),
    ]);
  });

  it("refuses a topic neither NATS nor Kafka takes, saying which characters", () => {
    const lines = problems(
      `${MINIMAL}bus:\n  nats: {}\nsinks:\n  - { name: events, type: bus, topic: "enriched.>" }\n`,
    );
    expect(lines).toEqual([
      expect.stringContaining(
        'sinks[0].topic: letters, digits, _ and - in dot-separated parts, like enriched.contacts; found "enriched.>"',
      ),
    ]);
  });

  it("refuses a bus sink when no bus is set, saying how to fix it", () => {
    expect(problems(`${MINIMAL}${SINK}`)).toEqual([
      '  - sinks[0].type: sink "events" publishes to the bus, and no bus is set: add a top-level bus with nats.servers or kafka.brokers',
    ]);
  });

  it("the event tier needs a bus, PostgreSQL and Redis, each said on its own line", () => {
    const lines = problems(
      `tier: event\ncallbacks: { baseUrl: "https://c.example.com", secret: "\${CB_SECRET}" }\n${MINIMAL}`,
      { CB_SECRET: "s".repeat(32) },
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- store\.postgres: the event tier keeps leads in PostgreSQL/),
        expect.stringMatching(/^ {2}- queue: the event tier keeps each workspace's rate limit/),
        expect.stringMatching(/^ {2}- bus: the event tier carries leads on a message bus/),
      ]),
    );
  });
});
