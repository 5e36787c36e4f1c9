/**
 * The Source port: where claypipe pulls leads from — a CSV or JSON Lines file,
 * stdin, and with the event tier a topic. A source yields one LeadRecord per
 * item of its input, in order: the validated lead, or why that item was
 * skipped, with the item's position (a file's line). It never stops on a bad
 * item; it throws only when the input as a whole cannot be read (a ClaypipeError
 * saying what to do) or its signal aborts. The callers — `claypipe import`
 * (intake/import/) and `claypipe send` (tiers/direct/) — give the leads to the
 * pipeline. Leads pushed over HTTP (forms, HubSpot, CRM events) are read by
 * the readers in intake/sources/ for the routes in server/routes/.
 *
 * Every adapter passes test/intake/source-contract.ts.
 */
import type { LeadRecord } from "./files/lead-record.js";

export interface LeadSource {
  /** What the leads are read from, for messages: a path, or "stdin". */
  readonly name: string;
  /** How the input is read ("csv", "jsonl"). */
  readonly format: string;
  /** The records, read as they are iterated; iterate once. */
  readonly records: AsyncIterable<LeadRecord>;
}
