/**
 * A claypipe service in its own process, as production runs it, that a test
 * can kill -9 and start again on the same store and port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { CLI } from "../cli/run-cli.js";

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

export async function startService(
  configPath: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [CLI, "start", "--config", configPath], {
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
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = /listening on (\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) =>
      reject(new Error(`service exited (${code}) before listening:\n${stderr}`)),
    );
  });
  return { child, url };
}

export function killHard(service: ServiceProcess): Promise<void> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return resolve();
    service.child.once("exit", () => resolve());
    service.child.kill("SIGKILL");
  });
}

export function stopGracefully(service: ServiceProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null) return resolve(service.child.exitCode);
    service.child.once("exit", (code) => resolve(code));
    service.child.kill("SIGTERM");
  });
}
