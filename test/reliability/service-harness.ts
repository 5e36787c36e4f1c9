/**
 * A claypipe service in its own process, as production runs it, that a test
 * can kill -9 and start again on the same store and port: the standard tier's
 * one process, or one role of the queue tier (api, worker, all).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { PipelineRole } from "../../src/tiers/pipeline-role.js";
import { CLI } from "../cli/run-cli.js";

/** A running `claypipe start` process. */
export interface ClaypipeProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr (its logs), for a failure message. */
  readonly stderr: () => string;
}

export interface ServiceProcess extends ClaypipeProcess {
  readonly url: string;
  /** The line it printed once it listened. */
  readonly readyLine: string;
}

/** Starts a service with an HTTP server (standard tier, or queue role api/all); resolves once it listens. */
export async function startService(
  configPath: string,
  cwd: string,
  env: Record<string, string> = {},
  role?: Exclude<PipelineRole, "worker">,
): Promise<ServiceProcess> {
  const args = role ? ["--role", role] : [];
  const { service, match } = await spawnClaypipe(configPath, cwd, env, args, /listening on (\S+)/);
  return { ...service, url: match[1]!, readyLine: match.input };
}

/** Starts a role without an HTTP server (event tier: enricher, router); resolves once it says so. */
export async function startRole(
  configPath: string,
  cwd: string,
  env: Record<string, string>,
  role: "enricher" | "router" | "worker",
): Promise<ClaypipeProcess> {
  const ready = new RegExp(`tier ${role} started`);
  const started = await spawnClaypipe(configPath, cwd, env, ["--role", role], ready);
  return started.service;
}

/** Starts a queue-tier worker (no API); resolves once it says "worker started", with that line. */
export async function startWorker(
  configPath: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<ClaypipeProcess & { readyLine: string }> {
  const started = await spawnClaypipe(configPath, cwd, env, ["--role", "worker"], /worker started/);
  return { ...started.service, readyLine: started.match.input };
}

async function spawnClaypipe(
  configPath: string,
  cwd: string,
  env: Record<string, string>,
  args: string[],
  ready: RegExp,
): Promise<{ service: ClaypipeProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [CLI, "start", ...args, "--config", configPath], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    if (process.env.CLAYPIPE_TEST_SERVICE_LOG)
      appendFileSync(process.env.CLAYPIPE_TEST_SERVICE_LOG, chunk);
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const found = ready.exec(line);
      if (found) resolve(found);
    });
    child.once("exit", (code) =>
      reject(new Error(`service exited (${code}) before it was ready:\n${stderr}`)),
    );
  });
  return { service: { child, stderr: () => stderr }, match };
}

export function killHard(service: ClaypipeProcess): Promise<void> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return resolve();
    service.child.once("exit", () => resolve());
    service.child.kill("SIGKILL");
  });
}

export function stopGracefully(service: ClaypipeProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null)
      return resolve(service.child.exitCode);
    service.child.once("exit", (code) => resolve(code));
    service.child.kill("SIGTERM");
  });
}
