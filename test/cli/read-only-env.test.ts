/**
 * Commands that only read or move what the store holds need only the
 * variables they use: `status`, `dlq` and `leads requeue` run with the
 * callback secret, the API keys and Clay's public API key unset, while
 * `start` still refuses at once, naming each one, and says when one is empty.
 */
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./run-cli.js";
import { type SeededStore, seededStore, TABLE_LEADS } from "./seeded-store.js";

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

function setup(): SeededStore {
  seeded = seededStore();
  seeded.writeConfig(
    TABLE_LEADS,
    "\n  - { name: api, table: leads }",
    `\n      publicApi: { apiKey: "\${CLAY_API_KEY}", baseUrl: "http://127.0.0.1:9" }`,
  );
  appendFileSync(seeded.configPath, `server: { apiKeys: ["\${API_KEY}"] }\n`);
  return seeded;
}

describe("read-only commands", () => {
  it("run without the secrets they never use", async () => {
    const { configPath, dir } = setup();
    const env = { CB_SECRET: "", API_KEY: "", CLAY_API_KEY: "" };
    for (const args of [["status"], ["dlq", "list"], ["leads", "requeue"]]) {
      const result = await runCli([...args, "-c", configPath], { cwd: dir, env });
      expect(result.stderr).not.toContain("is not set");
      expect(result.stderr).not.toContain("set but empty");
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
  });

  it("leave start to refuse at once, naming every variable it needs and which is empty", async () => {
    const { configPath, dir } = setup();
    const result = await runCli(["start", "-c", configPath], {
      cwd: dir,
      env: { CB_SECRET: "", API_KEY: "" },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "callbacks.secret: the environment variable CB_SECRET is set but empty",
    );
    expect(result.stderr).toContain(
      "server.apiKeys[0]: the environment variable API_KEY is set but empty",
    );
    expect(result.stderr).toContain("the environment variable CLAY_API_KEY is not set");
  });

  it("let the emulator start from the config before the pipeline's secrets exist", async () => {
    seeded = seededStore();
    seeded.writeConfig(
      `
        - name: leads
          webhooks: [{ url: "http://127.0.0.1:4010/v3/sources/webhook/pull-in-data-from-a-webhook-abc" }]`,
      "\n  - { name: api, table: leads }",
    );
    const child = spawn(process.execPath, [CLI, "emulator", "-p", "0", "-c", seeded.configPath], {
      cwd: seeded.dir,
      env: { ...process.env, CB_SECRET: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const closed = new Promise((resolve) => child.on("close", resolve));
    // Until it says it is up, or exits with an error; the test's timeout bounds the wait.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (stdout.includes("control API")) resolve();
      });
      child.on("close", () => resolve());
    });
    child.kill("SIGTERM");
    await closed;
    expect(stderr).toBe("");
    expect(stdout).toContain("table leads webhook 1:");
  });
});
