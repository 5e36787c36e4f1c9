/**
 * `claypipe doctor` and the dashboard's setup view: the whole setup checked
 * before it carries real leads. The config first; then, in parallel and each
 * bounded in time, every store, queue, bus, Clay key and sink it names; then,
 * when the store answered, the capacity and credits left.
 */
import { resolve } from "node:path";
import type { ClaypipeConfig } from "../config/schema.js";
import { busProbes } from "./bus-check.js";
import { callbacksChecks } from "./callbacks-check.js";
import { capacityProbe } from "./capacity-checks.js";
import { publicApiAbsent, publicApiProbes, webhookChecks } from "./clay-checks.js";
import { checkConfigFile } from "./config-checks.js";
import { type DoctorCheck, type DoctorReport, worstLevel } from "./doctor-report.js";
import { runProbe } from "./probe.js";
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
  options: DoctorOptions & { timeoutMs: number },
): Promise<DoctorCheck[]> {
  const { timeoutMs } = options;
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const backends = [
    ...storeProbes(config, timeoutMs),
    ...redisProbes(config, timeoutMs),
    ...busProbes(config.bus, timeoutMs),
  ];
  const services = [
    ...publicApiProbes(config, { timeoutMs, ...fetchOption }),
    ...sinkProbes(config, { timeoutMs, ...fetchOption }),
  ];
  const [reached, answered] = await Promise.all([
    Promise.all(backends.map((probe) => runProbe(probe, timeoutMs))).then((lines) => lines.flat()),
    Promise.all(services.map((probe) => runProbe(probe, timeoutMs))).then((lines) => lines.flat()),
  ]);
  // Counters live in the store (and the event tier reaches it through its bus): read only when all answered.
  const left = reached.every((check) => check.level !== "error")
    ? await runProbe(capacityProbe(config, timeoutMs), timeoutMs * 2)
    : [];
  const [clayAnswered, sinksAnswered] = [
    answered.filter((check) => check.group === "clay"),
    answered.filter((check) => check.group !== "clay"),
  ];
  return [
    ...reached,
    ...clayAnswered,
    ...publicApiAbsent(config),
    ...webhookChecks(config),
    ...callbacksChecks(config),
    ...sinksAnswered,
    ...left,
  ];
}
