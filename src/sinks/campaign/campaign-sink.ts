/**
 * What the outreach sinks (Instantly, Smartlead) share: leads keyed on their
 * email, one lead per person per delivery, uploads of at most the tool's batch
 * size paced at the sink's ratePerSecond, a pause after a 429, and uploads
 * whose answer leaves some leads ambiguous sent again in halves until each
 * lead's fate is known. A lead already in the campaign counts as delivered,
 * so a replay or a second lead of the same person adds nothing. The sink never
 * retries by itself: each result says whether trying again can help.
 */
import { systemClock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { silentLogger } from "../../logging/create-logger.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import { SinkPacer } from "../sink-pacer.js";
import { type CampaignLead, type CampaignLeadMapping, toCampaignLead } from "./campaign-lead.js";
import type { UploadAnswer } from "./upload-request.js";
import { resolveTally } from "./upload-tally.js";

export interface CampaignSinkParts {
  /** The sink's name in the config. */
  name: string;
  /** The tool's name, as reasons say it. */
  tool: string;
  /** Most leads one upload takes. */
  maxBatch: number;
  ratePerSecond: number;
  mapping: CampaignLeadMapping;
  /** Sends one upload; throws only when `signal` aborts. */
  upload(leads: CampaignLead[], signal: AbortSignal): Promise<UploadAnswer>;
}

/** One lead to upload, and the records (same email) it stands for. */
interface PendingLead {
  lead: CampaignLead;
  indexes: number[];
}

export function createCampaignSink(parts: CampaignSinkParts, deps: SinkDeps = {}): Sink {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  const pacer = new SinkPacer({ ratePerSecond: parts.ratePerSecond, clock });
  const lifecycle = new SinkLifecycle();
  const noEmail: SinkResult = {
    ok: false,
    retryable: false,
    reason: `no email to add the lead to the ${parts.tool} campaign by (the row has neither work_email nor email)`,
  };
  let pausedUntil = 0;

  /** Uploads `batch` and settles each of its leads, splitting what the answer leaves open. */
  async function settle(
    batch: PendingLead[],
    results: SinkResult[],
    signal: AbortSignal,
  ): Promise<void> {
    const set = (pending: PendingLead, result: SinkResult) => {
      for (const index of pending.indexes) results[index] = result;
    };
    // The pause is read after the wait for a turn: a 429 may have come meanwhile.
    await pacer.take(signal);
    const pause = pausedUntil - clock.now();
    if (pause > 0) {
      const reason = `not sent: ${parts.tool} asked to slow down (429) for ${formatDuration(pause)} more`;
      for (const pending of batch)
        set(pending, { ok: false, retryable: true, reason, retryAfterMs: pause });
      return;
    }
    const answer = await parts.upload(
      batch.map((pending) => pending.lead),
      signal,
    );
    if (answer.kind === "all") {
      if (answer.pauseMs !== undefined) pausedUntil = clock.now() + answer.pauseMs;
      for (const pending of batch) set(pending, answer.result);
      if (!answer.result.ok) warn(answer.status, batch.length, batch.length);
      return;
    }
    const byEmail = new Map(batch.map((pending) => [pending.lead.email, pending]));
    const { results: known, unresolved } = resolveTally([...byEmail.keys()], answer.tally);
    for (const [email, result] of known) set(byEmail.get(email)!, result);
    const failed = [...known.values()].filter((result) => !result.ok).length;
    if (failed > 0) warn(answer.status, batch.length, failed);
    if (unresolved.length === 0) return;
    // Each half is smaller, and a single lead always resolves, so this ends.
    const open = unresolved.map((email) => byEmail.get(email)!);
    const middle = Math.ceil(open.length / 2);
    await settle(open.slice(0, middle), results, signal);
    await settle(open.slice(middle), results, signal);
  }

  // Reasons can quote emails, so the log keeps to counts and the status.
  function warn(status: number | undefined, leads: number, failed: number): void {
    logger.warn(
      { sink: parts.name, status, leads, failed },
      `${parts.tool} did not take every lead of an upload`,
    );
  }

  return {
    name: parts.name,
    maxBatch: parts.maxBatch,
    deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      return lifecycle.run(records, signal, async (combined) => {
        const results: SinkResult[] = records.map(() => noEmail);
        // A tool counts one email twice in an upload as a duplicate; the later record's values win.
        const byEmail = new Map<string, PendingLead>();
        records.forEach((record, index) => {
          const lead = toCampaignLead(record, parts.mapping);
          if (!lead) return;
          const same = byEmail.get(lead.email);
          if (same) {
            Object.assign(same.lead.fields, lead.fields);
            Object.assign(same.lead.custom, lead.custom);
            same.indexes.push(index);
          } else byEmail.set(lead.email, { lead, indexes: [index] });
        });
        const pending = [...byEmail.values()];
        for (let start = 0; start < pending.length; start += parts.maxBatch) {
          await settle(pending.slice(start, start + parts.maxBatch), results, combined);
        }
        return results;
      });
    },
    close: () => lifecycle.close(),
  };
}
