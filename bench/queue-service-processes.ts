/**
 * claypipe's queue tier as production runs it: one `claypipe start --role api`
 * process and N `--role worker` processes of the built CLI (dist/, rebuilt
 * first when src/ is newer), all on one config file. Their logs (warn and up)
 * go to this process's stderr, each line marked with the process it came from.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import buildIfStale from "../test/build-once.js";

const CLI = resolve("dist/cli/main.js");
/** A service that has not stopped this long after SIGTERM is killed. */
const STOP_TIMEOUT_MS = 20_000;

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** SIGTERM, as an operator stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

export interface QueueServices {
  api: ServiceProcess;
  workers: ServiceProcess[];
  stop(): Promise<void>;
}

/** Starts the API process and `workers` worker processes; resolves once each says it is up. */
export async function startQueueServices(
  configPath: string,
  env: Record<string, string>,
  workers: number,
): Promise<QueueServices> {
  buildIfStale();
  const started: ServiceProcess[] = [];
  try {
    const api = await startService("api", "api", configPath, env);
    started.push(api);
    const workerProcesses = await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        startService(`worker${i + 1}`, "worker", configPath, env),
      ),
    );
    started.push(...workerProcesses);
    return {
      api,
      workers: workerProcesses,
      stop: () => Promise.all(started.map((service) => service.stop())).then(() => undefined),
    };
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    throw error;
  }
}

function startService(
  name: string,
  role: "api" | "worker",
  configPath: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [CLI, "start", "--role", role, "--config", configPath], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: child.stderr! }).on("line", (line) => {
    process.stderr.write(`[${name}] ${line}\n`);
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const service: ServiceProcess = {
    name,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
  const ready = role === "api" ? /listening on / : /worker started/;
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (ready.test(line)) resolve(service);
    });
    child.once("exit", (code) =>
      reject(
        new Error(
          `claypipe start --role ${role} (${name}) exited with ${code} before it was up; its log is above`,
        ),
      ),
    );
  });
}
