/**
 * `claypipe start` when its port is taken (another `claypipe start` on the same
 * config, or anything else): it must stop with a clear message before any
 * pipeline work, so no headless second pipeline sends, recovers or delivers.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { runCli } from "./run-cli.js";

const ENV = {
  CB_SECRET: randomBytes(32).toString("hex"),
  API_KEY: randomBytes(16).toString("hex"),
};

let emulator: RunningEmulator | undefined;
let holder: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emulator?.close();
  await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
  emulator = undefined;
  holder = undefined;
  dir = undefined;
});

it("refuses to start when its port is in use, before sending, recovering or delivering anything", async () => {
  emulator = await startEmulator({
    timeScale: 2000,
    workspaces: [{ id: "main", tables: [{ id: "t_leads", webhooks: [{}] }] }],
  });
  dir = mkdtempSync(join(tmpdir(), "claypipe-port-in-use-"));
  const port = await freePort();
  const configPath = join(dir, "claypipe.config.yaml");
  const sinkPath = join(dir, "out.jsonl");
  writeFileSync(
    configPath,
    `tier: standard
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: ${emulator.webhookUrl("t_leads")}
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: "\${CB_SECRET}"
sources: [ { name: api } ]
server: { port: ${port}, apiKeys: [ "\${API_KEY}" ] }
store: { sqlite: { path: ${join(dir, "claypipe.db")} } }
sinks:
  - { name: out, type: file, path: ${sinkPath} }
routes: { default: [out] }
logLevel: warn
`,
  );
  const leads = join(dir, "leads.csv");
  writeFileSync(leads, "email\nada@acme.example\ngrace@navy.example\n");
  const imported = await runCli(["import", leads, "--source", "api", "-c", configPath], {
    cwd: dir,
    env: ENV,
  });
  expect(imported.code, imported.stderr).toBe(0);

  holder = createServer();
  await new Promise<void>((resolve) => holder!.listen(port, "127.0.0.1", resolve));
  const start = await runCli(["start", "-c", configPath], {
    cwd: dir,
    env: ENV,
    timeoutMs: 20_000,
  });
  // Exited on its own (not killed by the timeout), with a failure code and a message that says what to do.
  expect(start.code).toBe(1);
  expect(start.stderr).toContain(`port ${port} on 127.0.0.1 is in use (another claypipe start?)`);
  expect(start.stderr).toContain("server.port");
  expect(start.stdout).not.toContain("listening");

  // No pipeline work: nothing reached Clay, no sink was written, the leads still wait.
  expect(emulator.control.snapshot().workspaces[0]!.requests.accepted).toBe(0);
  expect(existsSync(sinkPath)).toBe(false);
  const status = await runCli(["status", "--json", "-c", configPath], { cwd: dir, env: ENV });
  expect(JSON.parse(status.stdout)).toMatchObject({ states: { queued: 2 } });
});
