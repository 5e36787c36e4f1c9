/**
 * What must hold after any fault scenario: every accepted lead is in the
 * store, delivered or dead with a DeadReason code; each sink has each
 * delivered lead exactly once (the file never twice, the webhook receiver at
 * least once, counted by webhook-id); Clay spent no more data credits than one
 * enrichment per person costs. Returns the numbers for the scenario's report.
 */
import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import type { DeadReason } from "../../src/core/lead-state.js";
import {
  COMPANY_DATA_CREDITS,
  EMAIL_WATERFALL,
  PERSON_DATA_CREDITS,
} from "../../src/emulator/enrichment.js";
import type { PipelineStatus } from "../../src/pipeline/pipeline-api.js";
import type { FaultsRig } from "./faults-rig.js";

/** Every DeadReason code; a Record so a new code must be added here too. */
const DEAD_REASONS: Record<DeadReason, true> = {
  rejected_by_clay: true,
  payload_too_large: true,
  send_failed: true,
  no_callback: true,
  reconcile_failed: true,
  interrupted_send: true,
  budget: true,
};

/** The most data credits one enrichment can cost: the dearest email provider, person and company data. */
export const MAX_DATA_CREDITS_PER_LEAD =
  Math.max(...EMAIL_WATERFALL.map((step) => step.dataCredits)) +
  PERSON_DATA_CREDITS +
  COMPANY_DATA_CREDITS;

export interface FaultsReport {
  accepted: number;
  people: number;
  delivered: number;
  dead: Record<string, number>;
  webhook: { records: number; repeats: number; requests: number; failedOnPurpose: number };
  clay: {
    rowsAccepted: number;
    rateLimited: number;
    faulted: number;
    callbacksLost: number;
    callbacksDuplicated: number;
    dataCredits: number;
    dataCreditsAllowed: number;
  };
}

export async function checkOutcome(
  rig: FaultsRig,
  ids: readonly string[],
  people: number,
  status: PipelineStatus,
): Promise<FaultsReport> {
  const total = Object.values(status.states).reduce((sum, count) => sum + count, 0);
  expect(total, "leads in the store").toBe(ids.length);

  const delivered = new Set<string>();
  const dead: Record<string, number> = {};
  const unexplained: string[] = [];
  for (const id of ids) {
    const view = await rig.pipeline.getLead(id);
    if (!view) {
      unexplained.push(`${id}: not in the store`);
      continue;
    }
    const { state, reason } = view.lead;
    if (state === "delivered") delivered.add(id);
    else if (state === "dead" && reason !== null && reason in DEAD_REASONS)
      dead[reason] = (dead[reason] ?? 0) + 1;
    else unexplained.push(`${id}: ${state} (${reason ?? "no reason"})`);
  }
  expect(unexplained, "leads neither delivered nor dead with a DeadReason").toEqual([]);
  // The sinks retry until they deliver: nothing may end in a sink's own dead letter.
  expect(status.dlq.deliveries, "dead sink deliveries").toBe(0);

  const fileIds = await fileRecordIds(rig.filePath);
  const repeatedInFile = fileIds.filter((id, index) => fileIds.indexOf(id) !== index);
  expect(repeatedInFile, "claypipe_ids written to the file twice").toEqual([]);
  expect(new Set(fileIds), "the file's records").toEqual(delivered);

  const { receiver } = rig;
  expect(receiver.counts.badSignatures, "webhooks with a bad signature").toBe(0);
  expect(receiver.counts.malformed, "webhooks whose id is not msg_<claypipe_id>").toBe(0);
  expect(receiver.accepted.size, "unique webhook-ids").toBe(delivered.size);
  expect(new Set(receiver.accepted.values()), "the webhook receiver's records").toEqual(delivered);

  const clay = rig.emulator.control.snapshot();
  const workspace = clay.workspaces[0]!;
  const dataCreditsAllowed = people * MAX_DATA_CREDITS_PER_LEAD;
  expect(workspace.credits.dataUsed, "data credits Clay spent").toBeLessThanOrEqual(
    dataCreditsAllowed,
  );

  return {
    accepted: ids.length,
    people,
    delivered: delivered.size,
    dead,
    webhook: {
      records: receiver.accepted.size,
      repeats: receiver.counts.repeats,
      requests: receiver.counts.requests,
      failedOnPurpose: receiver.counts.failedOnPurpose,
    },
    clay: {
      rowsAccepted: workspace.requests.accepted,
      rateLimited: workspace.requests.rateLimited,
      faulted: workspace.requests.faulted,
      callbacksLost: clay.callbacks.lost,
      callbacksDuplicated: clay.callbacks.duplicated,
      dataCredits: workspace.credits.dataUsed,
      dataCreditsAllowed,
    },
  };
}

async function fileRecordIds(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { claypipe_id: string }).claypipe_id);
}
