/**
 * What the emulator's parts share: its state, background work, faults, random source,
 * time scale and logger. One object per running emulator; nothing is process-wide.
 */
import type { EmulatorState } from "./emulator-state.js";
import type { FaultState } from "./faults.js";
import type { PendingWork } from "./pending-work.js";
import type { SeededRandom } from "./seeded-random.js";
import type { EmulatorLogger } from "./types.js";

export interface EmulatorContext {
  state: EmulatorState;
  /** Enrichments and callbacks: what `idle()` waits for. */
  work: PendingWork;
  /** Webhook answers held back by the latency fault; close cancels them too. */
  requestWork: PendingWork;
  faults: FaultState;
  /** Replaced on reset, so a reset emulator repeats its draws. */
  random: SeededRandom;
  timeScale: number;
  logger: EmulatorLogger;
}

/** Real milliseconds for a span of Clay time. */
export function realMs(context: EmulatorContext, clayMs: number): number {
  return clayMs / context.timeScale;
}
