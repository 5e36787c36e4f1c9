/** The Clay emulator: a local stand-in for Clay for tests, demos and benchmarks. */
export { startEmulator } from "./start-emulator.js";
export type {
  EmulatorControl,
  EmulatorFaults,
  EmulatorLogger,
  EmulatorOptions,
  EmulatorRow,
  EmulatorRowStatus,
  EmulatorSnapshot,
  EmulatorTableSpec,
  EmulatorWebhookSpec,
  EmulatorWorkspaceSpec,
  HttpApiColumnSpec,
  RunningEmulator,
} from "./types.js";
