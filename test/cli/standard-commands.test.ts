/** `claypipe start`, `status` and `dlq` on a standard-tier config, as an operator runs them. */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { startService, stopGracefully } from "../reliability/service-harness.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { runCli } from "./run-cli.js";

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  removeTempDirs();
});

const ENV = {
  CB_SECRET: randomBytes(32).toString("hex"),
  API_KEY: randomBytes(16).toString("hex"),
};

async function standardSetup(): Promise<{ dir: string; url: string; configPath: string }> {
  emulator = await startEmulator({
    timeScale: 2000,
    workspaces: [
      {
        id: "main",
        rateLimit: { perSecond: 100, burst: 50 },
        // Rows of the "broken" source are refused (400) by a fault set while it is posted.
        tables: [
          { id: "t_leads", webhooks: [{}] },
          { id: "t_ok", webhooks: [{}] },
        ],
      },
    ],
  });
  const dir = makeTempDir("std-cli");
  const port = await freePort();
  const configPath = join(dir, "claypipe.config.yaml");
  writeFileSync(
    configPath,
    `tier: standard
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 100, burst: 50 }
      tables:
        - name: refused
          webhooks:
            - url: ${emulator.webhookUrl("t_leads")}
        - name: leads
          webhooks:
            - url: ${emulator.webhookUrl("t_ok")}
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: "\${CB_SECRET}"
sources:
  - { name: api, table: leads }
  - { name: broken, table: refused }
server: { port: ${port}, apiKeys: [ "\${API_KEY}" ] }
store: { sqlite: { path: ${join(dir, "claypipe.db")} } }
sinks:
  - { name: out, type: file, path: ${join(dir, "out.jsonl")} }
routes: { default: [out] }
logLevel: warn
`,
  );
  return { dir, url: `http://127.0.0.1:${port}`, configPath };
}

async function post(url: string, source: string, leads: unknown[]): Promise<void> {
  const response = await fetch(`${url}/v1/leads?source=${source}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ENV.API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(leads),
  });
  expect(response.status).toBe(202);
}

async function settled(url: string, total: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${url}/v1/status`, {
      headers: { authorization: `Bearer ${ENV.API_KEY}` },
    });
    const { states } = (await response.json()) as { states: Record<string, number> };
    if (states.delivered! + states.dead! === total) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("leads did not settle");
}

describe("standard-tier commands", () => {
  it("start serves leads to delivery or the DLQ; status and dlq read the store; SIGTERM stops cleanly", async () => {
    const { dir, url, configPath } = await standardSetup();
    const service = await startService(configPath, dir, ENV);
    // It says what the standard tier's page shows under "Run it", at this run's addresses.
    const page = readFileSync(new URL("../../docs/tiers/standard.md", import.meta.url), "utf8");
    const shown = /^# (claypipe standard tier .*)$/m.exec(page)?.[1] ?? "";
    expect(service.readyLine).toBe(
      shown.replace("https://claypipe.example.com", url).replace("http://127.0.0.1:8787", url),
    );
    await post(url, "api", [{ email: "ada@acme.example" }, { email: "grace@navy.example" }]);
    await settled(url, 2);
    // A refusal of the row itself (a 401 or 404 would be the webhook's config, and wait instead).
    emulator!.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    await post(url, "broken", [{ email: "linus@kernel.example" }]);
    await settled(url, 3);
    emulator!.control.clearFaults();
    expect(await stopGracefully(service)).toBe(0);

    const status = await runCli(["status", "--json", "-c", configPath], { cwd: dir, env: ENV });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      tier: "standard",
      states: { delivered: 2, dead: 1 },
      dlq: { leads: 1 },
    });

    const list = await runCli(["dlq", "list", "-c", configPath], { cwd: dir, env: ENV });
    expect(list.stdout).toMatch(/broken\s+rejected_by_clay/);
    const id = list.stdout.split(/\s+/)[0]!;
    const inspect = await runCli(["dlq", "inspect", id, "-c", configPath], { cwd: dir, env: ENV });
    expect(JSON.parse(inspect.stdout).lead).toMatchObject({
      id,
      state: "dead",
      reason: "rejected_by_clay",
    });

    const unfiltered = await runCli(["dlq", "purge", "--yes", "-c", configPath], {
      cwd: dir,
      env: ENV,
    });
    expect(unfiltered.code).toBe(1);
    expect(unfiltered.stderr).toContain("needs a filter");
    const unconfirmed = await runCli(
      ["dlq", "purge", "--reason", "rejected_by_clay", "-c", configPath],
      { cwd: dir, env: ENV },
    );
    expect(unconfirmed.stderr).toContain("--yes");
    const purge = await runCli(
      ["dlq", "purge", "--reason", "rejected_by_clay", "--yes", "-c", configPath],
      { cwd: dir, env: ENV },
    );
    expect(purge.stdout).toContain("purged 1");
    const empty = await runCli(["dlq", "list", "-c", configPath], { cwd: dir, env: ENV });
    expect(empty.stdout).toContain("the DLQ is empty");
  });

  it("send refuses a standard-tier config instead of bypassing the service's counters", async () => {
    const { dir, configPath } = await standardSetup();
    writeFileSync(join(dir, "leads.csv"), "email\nada@acme.example\n");
    const result = await runCli(["send", "leads.csv", "-c", configPath], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("direct tier's command");
    expect(result.stderr).toContain("POST /v1/leads");
    expect(result.stderr).toContain("claypipe import");
  });
});
