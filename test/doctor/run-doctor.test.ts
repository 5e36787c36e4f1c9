/**
 * The doctor against real services (PostgreSQL, Redis, NATS), the Clay emulator
 * and the sinks' stand-ins: a good setup is all ok; each fault is an error line
 * that names what to fix, and the report still covers everything else.
 */
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhookCounterKey } from "../../src/clay/webhook-pool.js";
import { freePort } from "../../src/demo/free-port.js";
import { type DoctorReport, doctorExitCode } from "../../src/doctor/doctor-report.js";
import { withPostgres } from "../../src/doctor/postgres-probe.js";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { removeTempDirs } from "../temp-dirs.js";
import { type DoctorSetup, startDoctorSetup } from "./doctor-setup.js";

let setup: DoctorSetup;
beforeAll(async () => {
  setup = await startDoctorSetup();
});
afterAll(async () => {
  await setup.close();
  removeTempDirs();
});
afterEach(() => setup.writeConfig());

function doctor(env: Record<string, string> = setup.env, timeoutMs = 5000): Promise<DoctorReport> {
  return runDoctor({ configPath: setup.configPath, env, timeoutMs });
}

function line(report: DoctorReport, name: string) {
  const found = report.checks.find((check) => check.name === name);
  expect(found, `no line ${name} in ${JSON.stringify(report.checks, null, 2)}`).toBeDefined();
  return found!;
}

function problems(report: DoctorReport) {
  return report.checks.filter((check) => check.level !== "ok");
}

describe("claypipe doctor", () => {
  it("finds a good standard setup all ok, every part checked", async () => {
    const report = await doctor();
    expect(problems(report)).toEqual([]);
    expect(doctorExitCode(report)).toBe(0);
    expect(report.tier).toBe("standard");
    expect(line(report, "store.sqlite").found).toContain("created at");
    expect(line(report, "clay.main.publicApi").found).toContain("key accepted");
    expect(line(report, "clay.main.leads.webhooks[0]").found).toContain("auth token set");
    expect(line(report, "sinks.crm").found).toContain("HubSpot accepted the credentials");
    expect(line(report, "sinks.members").found).toBe(
      "HubSpot accepted the credentials; list 101 is a static list (MANUAL)",
    );
    expect(line(report, "sinks.sfdc").found).toContain("Salesforce accepted the credentials");
    expect(line(report, "sinks.outreach").found).toContain("Instantly accepted");
    expect(line(report, "sinks.sequences").found).toContain("Smartlead accepted");
    expect(line(report, "sinks.alerts").found).toContain("not checked");
    expect(line(report, "sinks.table").found).toMatch(/PostgreSQL \d+/);
    expect(line(report, "sinks.file").found).toContain("can be created");
    expect(line(report, "capacity.main/leads").found).toBe(
      "49900 of 49900 rows left; 49900 webhook submissions left on 1 of 1 webhooks",
    );
    // Checking creates nothing: the store is the first start's to make.
    expect(existsSync(join(setup.dir, "state"))).toBe(false);
  });

  it("creates no state directory on the direct tier", async () => {
    const stateDir = join(setup.dir, "direct-state");
    setup.writeConfig((yaml) =>
      `${yaml.replace("tier: standard", "tier: direct")}stateDir: ${stateDir}\n`.replace(
        /sinks:[\s\S]*logLevel/,
        "logLevel",
      ),
    );
    const report = await doctor();
    expect(problems(report)).toEqual([]);
    expect(line(report, "capacity.main/leads").level).toBe("ok");
    expect(existsSync(stateDir)).toBe(false);
  });

  it("reads the store's counters once it exists: a full table is an error saying to add one", async () => {
    setup.writeConfig((yaml) =>
      yaml.replace("id: t_leads", "id: t_leads\n          rowLimit: 103"),
    );
    const path = `${setup.dir}/state/claypipe.db`;
    const store = await createSqliteStore({ path });
    try {
      for (let i = 0; i < 3; i++) {
        await store.counters.tryReserve([
          { key: "table:main/leads", limit: 3 },
          { key: webhookCounterKey(setup.emulator.webhookUrl("t_leads")), limit: 49_900 },
        ]);
      }
    } finally {
      await store.close();
    }
    const report = await doctor();
    expect(line(report, "store.sqlite").found).toMatch(/^SQLite 3\.\d+/);
    const full = line(report, "capacity.main/leads");
    expect(full.level).toBe("error");
    expect(full.found).toContain("0 of 3 rows left; 49897 webhook submissions left");
    expect(full.hint).toContain("add a Clay table");
    expect(line(report, "credits.workspace:main").level).toBe("ok");
  });

  it("says which variable a secret needs, and still checks everything else", async () => {
    const { HUBSPOT_TOKEN: _unset, ...env } = setup.env;
    const report = await doctor({ ...env, CB_SECRET: "" });
    const hubspot = line(report, "env HUBSPOT_TOKEN");
    expect(hubspot.level).toBe("error");
    expect(hubspot.found).toBe(
      "sinks[1].accessToken: the environment variable HUBSPOT_TOKEN is not set (a secret)",
    );
    expect(hubspot.hint).toContain("export it, or add it to .env");
    expect(line(report, "env CB_SECRET").found).toContain("is set but empty");
    expect(line(report, "sinks.crm").found).toContain("not checked");
    expect(line(report, "config").level).toBe("ok");
    expect(line(report, "sinks.sfdc").level).toBe("ok");
    expect(doctorExitCode(report)).toBe(1);
  });

  it("reports a Clay API key Clay refuses as an error", async () => {
    const report = await doctor({ ...setup.env, CLAY_API_KEY: "not-the-key-0000" });
    const clay = line(report, "clay.main.publicApi");
    expect(clay.level).toBe("error");
    expect(clay.found).toContain("refused the API key (401)");
    expect(clay.hint).toContain("publicApi.apiKey");
  });

  it("reports credentials a sink refuses, and a campaign that is not there", async () => {
    setup.writeConfig((yaml) => yaml.replace("campaignId: 4242", "campaignId: 4343"));
    const report = await doctor({
      ...setup.env,
      HUBSPOT_TOKEN: "wrong-token",
      SALESFORCE_TOKEN: "sf-wrong-token-0b1c",
    });
    expect(line(report, "sinks.crm")).toMatchObject({ level: "error" });
    expect(line(report, "sinks.crm").found).toContain("answered 401");
    expect(line(report, "sinks.crm").hint).toContain("private app token");
    expect(line(report, "sinks.sfdc").hint).toContain("expired or invalid");
    expect(line(report, "sinks.sequences").found).toContain("answered 404");
    expect(line(report, "sinks.sequences").hint).toContain("campaignId");
    expect(line(report, "sinks.outreach").level).toBe("ok");
  });

  it("refuses an active HubSpot list for a list sink: it takes no members by API", async () => {
    setup.writeConfig((yaml) => yaml.replace("listId: 101", "listId: 102"));
    const members = line(await doctor(), "sinks.members");
    expect(members.level).toBe("error");
    expect(members.found).toContain("list 102 is an active (DYNAMIC) list");
    expect(members.hint).toContain("static contact list");
  });

  it("refuses a loopback callbacks.baseUrl when the service listens publicly", async () => {
    setup.writeConfig((yaml) => `${yaml}server: { host: 0.0.0.0 }\n`);
    const report = await doctor();
    const callbacks = line(report, "callbacks.baseUrl");
    expect(callbacks.level).toBe("error");
    expect(callbacks.found).toContain("a loopback address, which Clay cannot reach");
    expect(callbacks.hint).toContain("public https URL");
  });

  it("warns only, exit code 2, for a public callback URL over plain http", async () => {
    setup.writeConfig(
      (yaml) =>
        `${yaml.replace("http://127.0.0.1:8787", "http://claypipe.acme.io")}server: { host: 0.0.0.0 }\n`,
    );
    const report = await doctor();
    expect(problems(report).map((check) => [check.name, check.level])).toEqual([
      ["callbacks.baseUrl", "warning"],
    ]);
    expect(doctorExitCode(report)).toBe(2);
  });
});

describe("claypipe doctor on the queue tier", () => {
  const queueConfig = (yaml: string) =>
    yaml.replace("tier: standard", "tier: queue").replace(
      /store: .*\n/,
      `store: { postgres: { connectionString: "\${DATABASE_URL}", schema: doctor_absent } }
queue: { redis: { connectionString: "\${REDIS_URL}" } }
bus: { nats: { servers: "\${NATS_URL}" } }
`,
    );

  it("reaches PostgreSQL, Redis and NATS with their versions", async () => {
    setup.writeConfig(queueConfig);
    const report = await doctor({
      ...setup.env,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
      REDIS_URL: "redis://127.0.0.1:6379",
      NATS_URL: "nats://127.0.0.1:4222",
    });
    expect(line(report, "store.postgres").found).toMatch(
      /^PostgreSQL \d+\.\d+ at postgres:\/\/postgres@127\.0\.0\.1:5432\/test; schema doctor_absent created by the first start$/,
    );
    expect(line(report, "queue.redis").found).toMatch(
      /^Redis \d+\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:6379/,
    );
    expect(line(report, "bus.nats").found).toMatch(
      /^NATS \d+\.\d+\.\d+ at nats:\/\/127\.0\.0\.1:4222, JetStream on$/,
    );
    // Before the first start nothing is counted, and the doctor creates nothing.
    expect(line(report, "capacity.main/leads").level).toBe("ok");
    expect(line(report, "store.postgres").found).toContain("created by the first start");
    expect(problems(report)).toEqual([]);
  });

  it("reads the shared counters and the credit ledger once the store exists", async () => {
    const schema = `doctor_${process.pid}`;
    setup.writeConfig((yaml) =>
      queueConfig(yaml).replace("schema: doctor_absent", `schema: ${schema}`),
    );
    const connectionString = "postgres://postgres@127.0.0.1:5432/test";
    const store = await createPostgresStore({ connectionString, schema });
    try {
      await store.counters.tryReserve([{ key: "table:main/leads", limit: 49_900 }]);
      const report = await doctor({
        ...setup.env,
        DATABASE_URL: connectionString,
        REDIS_URL: "redis://127.0.0.1:6379",
        NATS_URL: "nats://127.0.0.1:4222",
      });
      expect(line(report, "store.postgres").found).toContain(`schema ${schema} in place`);
      expect(line(report, "capacity.main/leads").found).toContain("49899 of 49900 rows left");
      expect(line(report, "credits.workspace:main").found).toMatch(
        /^day:\S+: data 0 of 1000 used$/,
      );
      expect(problems(report)).toEqual([]);
    } finally {
      await store.close();
      await withPostgres(connectionString, 5000, (client) =>
        client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
      );
    }
  });

  it("names an unreachable PostgreSQL and Redis by address, without the password, with what to do", async () => {
    setup.writeConfig(queueConfig);
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    const report = await doctor({
      ...setup.env,
      DATABASE_URL: `postgres://claypipe:pg-password-91ab@127.0.0.1:${pgPort}/claypipe`,
      REDIS_URL: `redis://:redis-password-73cd@127.0.0.1:${redisPort}/0`,
      NATS_URL: "nats://127.0.0.1:4222",
    });
    const postgres = line(report, "store.postgres");
    expect(postgres.level).toBe("error");
    expect(postgres.found).toContain(`postgres://claypipe@127.0.0.1:${pgPort}/claypipe`);
    expect(postgres.hint).toContain("start PostgreSQL");
    const redis = line(report, "queue.redis");
    expect(redis.level).toBe("error");
    expect(redis.found).toContain(`redis://127.0.0.1:${redisPort}/0`);
    expect(redis.hint).toContain("start Redis");
    const text = JSON.stringify(report);
    expect(text).not.toContain("pg-password-91ab");
    expect(text).not.toContain("redis-password-73cd");
    // Counters live in the unreachable store: not read, not guessed.
    expect(report.checks.filter((check) => check.group === "capacity")).toEqual([
      {
        group: "capacity",
        name: "capacity",
        level: "warning",
        found: "not read: store.postgres, queue.redis did not answer",
        hint: "fix the lines above, then run claypipe doctor again",
      },
    ]);
    expect(doctorExitCode(report)).toBe(1);
  });

  it("gives up on a host that accepts and never answers within the time limit", async () => {
    setup.writeConfig(queueConfig);
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((listening) => silent.listen(0, "127.0.0.1", listening));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const report = await doctor(
        {
          ...setup.env,
          DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`,
          REDIS_URL: `redis://127.0.0.1:${port}`,
          NATS_URL: `nats://127.0.0.1:${port}`,
        },
        400,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      for (const name of ["store.postgres", "queue.redis", "bus.nats"]) {
        expect(line(report, name).level, name).toBe("error");
        expect(line(report, name).found, name).toContain(`127.0.0.1:${port}`);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });

  it("says how to install the Kafka client, or that Kafka does not answer", async () => {
    setup.writeConfig((yaml) =>
      queueConfig(yaml).replace(/bus: .*\n/, 'bus: { kafka: { brokers: ["127.0.0.1:1"] } }\n'),
    );
    const report = await doctor(
      {
        ...setup.env,
        DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL: "redis://127.0.0.1:6379",
      },
      1500,
    );
    const kafka = line(report, "bus.kafka");
    expect(kafka.level).toBe("error");
    expect(kafka.found).toContain("127.0.0.1:1");
    expect(kafka.hint).toMatch(/kafka-javascript|start the Kafka brokers/);
  });
});
