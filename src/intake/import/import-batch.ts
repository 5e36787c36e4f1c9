/**
 * One batch of an import: the good leads read since the last commit, the bad
 * lines among them, and the last line it covers. Submitting it admits the
 * leads in one durable write; a lead the pipeline still refuses (it validates
 * again) becomes a bad line with the line it came from.
 */
import { describeLeadIssues, type Lead } from "../../core/lead.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import type { LeadRecord, RejectedLeadRecord } from "../files/lead-record.js";

export interface BatchOutcome {
  queued: number;
  duplicates: number;
  /** Kept from Clay by a pre-send rule (enrichIf). */
  skipped: number;
  /** Bad lines of the batch, in line order. */
  rejected: RejectedLeadRecord[];
}

export class ImportBatch {
  readonly leads: Lead[] = [];
  /** The line of each lead in `leads`. */
  readonly lines: number[] = [];
  readonly rejected: RejectedLeadRecord[] = [];
  /** The last line the batch covers (good or bad). */
  lastLine = 0;

  add(record: LeadRecord): void {
    if (record.ok) {
      this.leads.push(record.lead);
      this.lines.push(record.line);
    } else {
      this.rejected.push(record);
    }
    this.lastLine = record.line;
  }

  get records(): number {
    return this.leads.length + this.rejected.length;
  }

  /** Full at `size` good leads, or at `size` bad lines so a run of them is not held in memory. */
  isFull(size: number): boolean {
    return this.leads.length >= size || this.rejected.length >= size;
  }

  async submit(pipeline: Pick<Pipeline, "submit">, source: string): Promise<BatchOutcome> {
    const outcome: BatchOutcome = {
      queued: 0,
      duplicates: 0,
      skipped: 0,
      rejected: this.rejected,
    };
    if (this.leads.length === 0) return outcome;
    const result = await pipeline.submit(this.leads, { source });
    for (const admitted of result.accepted) {
      if (admitted.state === "queued") outcome.queued++;
      else if (admitted.state === "skipped") outcome.skipped++;
      else outcome.duplicates++;
    }
    if (result.rejected.length > 0) {
      const refused = result.rejected.map(
        ({ index, issues }): RejectedLeadRecord => ({
          line: this.lines[index]!,
          ok: false,
          reason: describeLeadIssues(issues),
        }),
      );
      outcome.rejected = [...this.rejected, ...refused].sort((a, b) => a.line - b.line);
    }
    return outcome;
  }
}
