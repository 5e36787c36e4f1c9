/**
 * `claypipe doctor` and the dashboard's setup view: the whole setup checked
 * before it carries real leads. The config first; then, in parallel and each
 * bounded in time, every store, queue, bus, Clay key and sink it names; then,
 * when the store answered, the capacity and credits left.
 */
import { resolve } from "node:path";
import type { ClaypipeConfig } from "../config/schema.js";
import type { PipelineStatus } from "../pipeline/pipeline-api.js";
import { busProbes } from "./bus-check.js";
import { callbacksChecks } from "./callbacks-check.js";
import { capacityProbe } from "./capacity-checks.js";
import { publicApiAbsent, publicApiProbes, webhookChecks } from "./clay-checks.js";
import { checkConfigFile } from "./config-checks.js";
import { type DoctorCheck, type DoctorReport, warning, worstLevel } from "./doctor-report.js";
import { type Probe, runProbe } from "./probe.js";
import { redactChecks, secretValues } from "./redact-report.js";
import { redisProbes } from "./redis-check.js";
import { sinkProbes } from "./sink-checks.js";
import { storeProbes } from "./store-checks.js";

export interface DoctorOptions {
  /** The config file. @defaultValue "claypipe.config.yaml" */
  configPath?: string;
  /** @defaultValue process.env, with `.env` beside the config filling gaps */
  env?: Record<string, string | undefined>;
  /** Longest wait for any one network check. @defaultValue 5000 */
  timeoutMs?: number;
  /** For Clay's public API and the sinks' reads. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export interface RunningDoctorOptions extends Omit<DoctorOptions, "configPath" | "env"> {
  /** The running pipeline's status: capacity and credits are read from it, not from a pipeline of the doctor's own. */
  readStatus: () => Promise<PipelineStatus>;
}

/**
 * The report for a config a running process already loaded (the dashboard):
 * every check but the config file's own, which passed when the process started.
 */
export async function runDoctorOnRunning(
  config: ClaypipeConfig,
  options: RunningDoctorOptions,
): Promise<DoctorReport> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const checks = await checkSetup(config, { ...options, timeoutMs });
  const shown = redactChecks(checks, secretValues(config));
  return {
    config: "(the running config)",
    tier: config.tier,
    checks: shown,
    worst: worstLevel(shown.map((check) => check.level)),
  };
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const file = resolve(options.configPath ?? "claypipe.config.yaml");
  const timeoutMs = options.timeoutMs ?? 5000;
  const loaded = checkConfigFile(file, options.env);
  const checks = loaded.config
    ? [...loaded.checks, ...(await checkSetup(loaded.config, { ...options, timeoutMs }))]
    : loaded.checks;
  const shown = loaded.config ? redactChecks(checks, secretValues(loaded.config)) : checks;
  return {
    config: file,
    ...(loaded.config ? { tier: loaded.config.tier } : {}),
    checks: shown,
    worst: worstLevel(shown.map((check) => check.level)),
  };
}

async function checkSetup(
  config: ClaypipeConfig,
  options: Pick<DoctorOptions, "fetch"> & {
    timeoutMs: number;
    readStatus?: () => Promise<PipelineStatus>;
  },
): Promise<DoctorCheck[]> {
  const { timeoutMs } = options;
  const services = { timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const run = (probes: Probe[]) =>
    Promise.all(probes.map((probe) => runProbe(probe, timeoutMs))).then((lines) => lines.flat());
  const [reached, clay, sinks] = await Promise.all([
    run([
      ...storeProbes(config, timeoutMs),
      ...redisProbes(config, timeoutMs),
      ...busProbes(config.bus, timeoutMs),
    ]),
    run(publicApiProbes(config, services)),
    run(sinkProbes(config, services)),
  ]);
  // Counters live in the store, read through the pipeline (which needs Redis and the bus too).
  const unreached = reached.filter((check) => check.level === "error").map((check) => check.name);
  const left =
    unreached.length === 0
      ? await runProbe(capacityProbe(config, timeoutMs, options.readStatus), timeoutMs * 2)
      : [
          warning(
            "capacity",
            "capacity",
            `not read: ${unreached.join(", ")} did not answer`,
            "fix the lines above, then run claypipe doctor again",
          ),
        ];
  return [
    ...reached,
    ...clay,
    ...publicApiAbsent(config),
    ...webhookChecks(config),
    ...callbacksChecks(config),
    ...sinks,
    ...left,
  ];
}
