/** Importing claypipe loads no backend library; a tier loads only what its config names. */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";

const ENTRY = resolve("dist/index.js");
const PROBE = resolve("test/library/loaded-packages.mjs");
const BACKENDS = [
  "@nats-io/jetstream",
  "@nats-io/transport-node",
  "better-sqlite3",
  "bullmq",
  "fastify",
  "ioredis",
  "pg",
  "prom-client",
];

afterEach(() => removeTempDirs());

/** The npm packages a fresh Node process loaded (the built entry, and a pipeline if given a config). */
function loadedPackages(config?: object): string[] {
  const args = [PROBE, ENTRY, ...(config ? [JSON.stringify(config)] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" })) as string[];
}

describe("lazy backends", () => {
  it("importing the library entry loads no backend library", () => {
    const loaded = loadedPackages();
    expect(loaded).toContain("zod"); // the probe sees packages at all
    expect(loaded.filter((name) => BACKENDS.includes(name))).toEqual([]);
  });

  it("a standard-tier pipeline loads none of the queue tier's or the server's libraries", () => {
    const loaded = loadedPackages({
      tier: "standard",
      clay: {
        workspaces: [
          {
            name: "main",
            rateLimit: { perSecond: 10, burst: 10 },
            tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/webhook" }] }],
          },
        ],
      },
      callbacks: { baseUrl: "http://127.0.0.1:9", secret: "s".repeat(32) },
      store: { sqlite: { path: join(makeTempDir("lazy"), "claypipe.db") } },
      logLevel: "silent",
    });
    const queueOrServer = [
      "bullmq",
      "fastify",
      "ioredis",
      "pg",
      "prom-client",
      "@nats-io/transport-node",
    ];
    expect(loaded.filter((name) => queueOrServer.includes(name))).toEqual([]);
  });

  it("a direct-tier pipeline loads no backend library at all", () => {
    const loaded = loadedPackages({
      tier: "direct",
      clay: {
        workspaces: [
          {
            name: "main",
            rateLimit: { perSecond: 10, burst: 10 },
            tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/webhook" }] }],
          },
        ],
      },
      stateDir: makeTempDir("lazy-direct"),
      logLevel: "silent",
    });
    expect(loaded).toContain("zod");
    expect(loaded.filter((name) => BACKENDS.includes(name))).toEqual([]);
  });
});
