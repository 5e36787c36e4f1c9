/**
 * Importing claypipe loads no backend library; a tier loads only what its
 * config names; `claypipe --help` and a command's `--help` load commander alone.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";

const ENTRY = resolve("dist/index.js");
const CLI = resolve("dist/cli/main.js");
const RECORDER = resolve("test/library/record-loaded-packages.mjs");
const PROBE = resolve("test/library/loaded-packages.mjs");
const BACKENDS = [
  "@confluentinc/kafka-javascript",
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

/** The npm packages a fresh Node process running `args` loaded. */
function packagesLoadedBy(args: string[]): string[] {
  const file = join(makeTempDir("loaded"), "packages.json");
  execFileSync(process.execPath, ["--import", RECORDER, ...args], {
    env: { ...process.env, LOADED_PACKAGES_FILE: file },
    stdio: "ignore",
  });
  return JSON.parse(readFileSync(file, "utf8")) as string[];
}

/** The npm packages a fresh Node process loaded (the built entry, and a pipeline if given a config). */
function loadedPackages(config?: object): string[] {
  return packagesLoadedBy([PROBE, ENTRY, ...(config ? [JSON.stringify(config)] : [])]);
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

  // The CLI loads what a command uses when it runs: help needs the command tree alone.
  it.each([
    "--help",
    "start --help",
    "import --help",
    "send --help",
    "status --help",
    "recommend --volume 5000 --no-config",
  ])("claypipe %s loads commander alone", (line) => {
    expect(packagesLoadedBy([CLI, ...line.split(" ")])).toEqual(["commander"]);
  });
});
