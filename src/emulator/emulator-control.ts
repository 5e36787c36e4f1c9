/**
 * The control surface of a running emulator, used in-process by tests and demos and over
 * HTTP through the control routes.
 */
import { systemClock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import type { EmulatorContext } from "./emulator-context.js";
import { enrichmentIdentity } from "./enrichment.js";
import { moveOnNextEnrichment } from "./job-changes.js";
import { SeededRandom } from "./seeded-random.js";
import {
  describeIssues,
  faultsSchema,
  resolveWorkspace,
  workspaceSpecSchema,
} from "./spec-schema.js";
import type { EmulatorControl, EmulatorFaults, EmulatorWorkspaceSpec } from "./types.js";

export function createControl(context: EmulatorContext, seed: number): EmulatorControl {
  return {
    addWorkspace(spec: EmulatorWorkspaceSpec) {
      const parsed = workspaceSpecSchema.safeParse(spec);
      if (!parsed.success) {
        throw new ClaypipeError(
          "config_invalid",
          `Emulator workspace spec is invalid: ${describeIssues(parsed.error)}.`,
          {
            hint: "See EmulatorWorkspaceSpec in src/emulator/types.ts for the fields and their defaults.",
          },
        );
      }
      const workspace = context.state.add(resolveWorkspace(parsed.data, seed));
      context.logger.info(
        { workspaceId: workspace.spec.id, tables: parsed.data.tables.length },
        "emulator workspace added",
      );
    },
    setFaults(faults: EmulatorFaults) {
      const parsed = faultsSchema.safeParse(faults);
      if (!parsed.success) {
        throw new ClaypipeError(
          "input_invalid",
          `Emulator faults are invalid: ${describeIssues(parsed.error)}.`,
          {
            hint: "Rates are shares from 0 to 1, durations are milliseconds, statuses 400-599.",
          },
        );
      }
      context.faults.set(parsed.data, systemClock.now());
      context.logger.info({ faults: parsed.data }, "emulator faults set");
    },
    clearFaults() {
      context.faults.clear();
    },
    snapshot: () => context.state.snapshot(),
    rows: (tableId) => context.state.table(tableId).rows.map((row) => structuredClone(row)),
    moveOnNextEnrichment(tableId, person) {
      const identity = enrichmentIdentity(person);
      const { enrichments } = moveOnNextEnrichment(context.state.table(tableId), identity);
      context.logger.info({ tableId, identity }, "emulator job change set for the next enrichment");
      return { identity, enrichments };
    },
    idle: () => context.work.idle(),
    reset() {
      context.work.cancelAll();
      context.faults.clear();
      context.random = new SeededRandom(seed);
      context.state.reset();
      context.logger.info({}, "emulator reset");
    },
  };
}
