/**
 * One `claypipe start` per SQLite store: a second one on the same store is
 * refused before it does any pipeline work, naming the store and the process
 * that holds it, while status keeps working beside the owner; after the owner
 * dies by kill -9, a new start takes the store over.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { killHard, type ServiceProcess, startService } from "../reliability/service-harness.js";
import { runCli } from "./run-cli.js";

const ENV = {
  CB_SECRET: randomBytes(32).toString("hex"),
  API_KEY: randomBytes(16).toString("hex"),
};

const dirs: string[] = [];
const services: ServiceProcess[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await killHard(service);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A standard-tier config on `dir`'s store, listening on its own free port. */
async function configOn(
  dir: string,
  name: string,
  storePath = join(dir, "state", "claypipe.db"),
  logLevel = "warn",
): Promise<string> {
  const port = await freePort();
  const path = join(dir, `${name}.config.yaml`);
  writeFileSync(
    path,
    `tier: standard
clay:
  workspaces:
    - name: main
      rateLimit: { perSecond: 10, burst: 20 }
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/v3/sources/webhook/pull-in-data-from-a-webhook-x
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: "\${CB_SECRET}"
sources:
  - { name: api, table: leads }
server: { port: ${port}, apiKeys: [ "\${API_KEY}" ] }
store: { sqlite: { path: ${storePath} } }
sinks:
  - { name: out, type: file, path: ${join(dir, "out.jsonl")} }
routes: { default: [out] }
logLevel: ${logLevel}
`,
  );
  return path;
}

describe("one claypipe start per SQLite store", () => {
  it("refuses a second start on the same store, naming the holder, until the first dies", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claypipe-owner-"));
    dirs.push(dir);
    const firstConfig = await configOn(dir, "first");
    const secondConfig = await configOn(dir, "second");
    const first = await startService(firstConfig, dir, ENV);
    services.push(first);

    const second = await runCli(["start", "-c", secondConfig], {
      cwd: dir,
      env: ENV,
      timeoutMs: 20_000,
    });
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain("listening");
    expect(second.stderr).toContain(join(dir, "state", "claypipe.db"));
    expect(second.stderr).toContain(`process ${first.child.pid} on `);
    expect(second.stderr).toContain("stop the other `claypipe start`");
    expect(first.child.exitCode).toBeNull();

    const status = await runCli(["status", "--json", "-c", firstConfig], { cwd: dir, env: ENV });
    expect(status.code, status.stderr).toBe(0);

    await killHard(first);
    // Listening means it passed the owner lock: startService rejects if it exits first.
    const takeover = await startService(secondConfig, dir, ENV);
    services.push(takeover);
    expect(takeover.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses a second start that reaches the store through a symlink, before it listens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claypipe-owner-"));
    dirs.push(dir);
    const firstConfig = await configOn(dir, "first");
    const first = await startService(firstConfig, dir, ENV);
    services.push(first);
    mkdirSync(join(dir, "other"));
    const link = join(dir, "other", "link.db");
    symlinkSync(join(dir, "state", "claypipe.db"), link);
    const secondConfig = await configOn(dir, "second", link, "info");

    const second = await runCli(["start", "-c", secondConfig], {
      cwd: dir,
      env: ENV,
      timeoutMs: 20_000,
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`process ${first.child.pid} on `);
    expect(`${second.stdout}${second.stderr}`).not.toContain("listening");
    expect(first.child.exitCode).toBeNull();
  });
});
