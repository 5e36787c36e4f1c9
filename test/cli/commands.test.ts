import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { CLI, runCli } from "./run-cli.js";

afterEach(removeTempDirs);

describe("claypipe", () => {
  it("ships an executable bin, so `npx claypipe` runs after any rebuild", () => {
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });

  it("lists its commands", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["demo", "send", "enrich", "recommend", "init", "emulator"]) {
      expect(result.stdout).toContain(command);
    }
  });

  it("init writes a starter config that loads, and will not overwrite it", async () => {
    const dir = makeTempDir("init");
    const first = await runCli(["init"], { cwd: dir });
    expect(first.code).toBe(0);
    const file = join(dir, "claypipe.config.yaml");
    expect(parseConfig(readFileSync(file, "utf8"), { env: {} }).tier).toBe("direct");
    const second = await runCli(["init"], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("already exists");
    expect(second.stderr).toContain("--force");
    const unknown = await runCli(["init", "--tier", "turbo", "--force"], { cwd: dir });
    expect(unknown.stderr).toContain('unknown tier "turbo"');
  });

  it("send without a config says how to make one", async () => {
    const dir = makeTempDir("noconf");
    const result = await runCli(["send", "leads.csv"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no config file");
    expect(result.stderr).toContain("claypipe init");
    expect(existsSync(join(dir, ".claypipe"))).toBe(false);
  });

  it("recommend prints the tier, its reasons and sizing", async () => {
    const result = await runCli(["recommend", "--volume", "300", "--plan", "growth"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("recommended tier: direct");
    expect(result.stdout).toContain("webhook sources used a month");
    expect(result.stdout).toContain("tier: direct");
    // Past 50K a day: the event tier, with a starter that loads once its variables are set.
    const big = await runCli(["recommend", "--volume", "200000"]);
    expect(big.stdout).toContain("recommended tier: event");
    const starter = big.stdout.slice(big.stdout.indexOf("# claypipe pipeline definition"));
    const env = {
      CLAYPIPE_CALLBACK_SECRET: "s".repeat(40),
      CLAYPIPE_API_KEY: "k".repeat(20),
      DATABASE_URL: "postgres://claypipe@db:5432/claypipe",
      REDIS_URL: "redis://redis:6379/0",
      NATS_URL: "nats://nats:4222",
    };
    expect(parseConfig(starter, { env })).toMatchObject({
      tier: "event",
      bus: { nats: { servers: "nats://nats:4222" } },
    });
    const bad = await runCli(["recommend", "--volume", "lots"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--volume must be a whole number of at least 0 (got "lots")');
  });

  it.each([
    ["standard", []],
    ["queue", ["--tier", "queue"]],
    ["event", ["--tier", "event"]],
  ])("demo runs the full %s loop: intake, Clay, callbacks, routes, sinks", async (tier, flags) => {
    const result = await runCli(["demo", ...flags, "--leads", "60", "--time-scale", "2000"], {
      timeoutMs: 90_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/rejected at intake \(422\)\s+2/);
    expect(result.stdout).toMatch(/429s from Clay\s+0/);
    expect(result.stdout).toMatch(/dead \(DLQ\)\s+0/);
    const count = (label: string) =>
      Number(new RegExp(`${label}\\s+(\\d+)`).exec(result.stdout)?.[1]);
    const accepted = count("accepted \\(202\\)");
    const delivered = count("\\bdelivered");
    const skipped = count("skipped by enrichIf \\(free mail, no credit\\)");
    const refreshed = count("refreshed \\(re-enriched by the refresh run\\)");
    const changed = count("of which changed jobs \\(job-change route\\)");
    expect(accepted).toBe(58);
    expect(skipped).toBeGreaterThan(0);
    expect(refreshed).toBeGreaterThan(changed);
    expect(changed).toBe(3);
    expect(delivered).toBe(accepted - skipped + refreshed);
    expect(count("rows sent to Clay")).toBe(
      accepted - count("repeats served by dedupe \\(no credit\\)") - skipped + refreshed,
    );
    // Every skipped lead is in the skipped route's sink; an unchanged refresh goes nowhere.
    expect(count("  skipped")).toBe(skipped);
    expect(count("job-changes")).toBe(changed);
    const perRoute =
      count("job-changes") + count("hot-leads") + count("nurture") + count("archive");
    expect(perRoute).toBe(delivered - count("of which unchanged \\(delivered nowhere\\)"));
    if (tier === "event") {
      // Each sent lead went through the incoming topic, each callback onto the results topic.
      expect(count("\\.leads\\.incoming")).toBeGreaterThanOrEqual(count("rows sent to Clay"));
      expect(count("\\.enriched\\.contacts")).toBeGreaterThanOrEqual(count("callbacks received"));
      expect(count("\\.claypipe\\.lead-events")).toBeGreaterThanOrEqual(2 * accepted);
      expect(count("\\.dlq\\.clay")).toBe(0);
    }
  });

  it("demo --tier direct runs the whole direct path and reports zero 429s", async () => {
    const result = await runCli(
      ["demo", "--tier", "direct", "--leads", "40", "--time-scale", "2000"],
      {
        timeoutMs: 60_000,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/bad leads \(reported, not sent\)\s+2/);
    expect(result.stdout).toMatch(/429s from Clay\s+0/);
    expect(result.stdout).toMatch(/still pending\s+0/);
    const sent = Number(/sent to Clay\s+(\d+)/.exec(result.stdout)?.[1]);
    const deduplicated = Number(
      /deduplicated by Clay \(no credits\)\s+(\d+)/.exec(result.stdout)?.[1],
    );
    const enriched = Number(/\benriched\s+(\d+)/.exec(result.stdout)?.[1]);
    const notFound = Number(/not found\s+(\d+)/.exec(result.stdout)?.[1]);
    // The sample's repeated people (10% of 40) are skipped by claypipe before they reach Clay (no credit).
    const repeats = Number(/repeats skipped \(no credit\)\s+(\d+)/.exec(result.stdout)?.[1]);
    expect(repeats).toBe(4);
    expect(sent).toBe(40 - 2 - repeats);
    expect(enriched + notFound).toBe(sent - deduplicated);
  });

  it("emulator serves webhook sources until stopped", async () => {
    const child = spawn(process.execPath, [CLI, "emulator", "--port", "0"]);
    const lines = createInterface({ input: child.stdout });
    const output: string[] = [];
    const webhook = await new Promise<string>((resolve) => {
      lines.on("line", (line) => {
        output.push(line);
        const url = /webhook 1: (\S+)/.exec(line)?.[1];
        if (url) resolve(url);
      });
    });
    expect(output[0]).toMatch(/^Clay emulator on http:\/\/127\.0\.0\.1:\d+/);
    const response = await fetch(webhook, {
      method: "POST",
      body: JSON.stringify({ email: "a@b.co" }),
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(200);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
