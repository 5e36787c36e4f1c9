/**
 * What the direct tier has sent, for `claypipe status`: the last run of `send`
 * or `enrich` and running totals, in `<stateDir>/send-history.json`, rewritten
 * atomically at the end of each run. Only counts and times: no lead data.
 */
import { readFile } from "node:fs/promises";
import { ClaypipeError } from "../../core/errors.js";
import { writeFileAtomic } from "./atomic-file.js";

export interface SendRun {
  command: "send" | "enrich";
  /** "workspace/table". */
  table: string;
  startedAt: number;
  finishedAt: number;
  read: number;
  sent: number;
  repeats: number;
  /** Turned away by a pre-send rule (enrichIf); absent in runs recorded before there were any. */
  skipped?: number;
  notSent: number;
  stopped?: { reason: string; resumeFromLine: number };
}

export interface SendHistory {
  lastRun?: SendRun;
  totals: { runs: number; sent: number; repeats: number; skipped: number; notSent: number };
}

const EMPTY: SendHistory = { totals: { runs: 0, sent: 0, repeats: 0, skipped: 0, notSent: 0 } };

export async function readSendHistory(path: string): Promise<SendHistory> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return EMPTY;
    throw unavailable(path, thrown);
  }
  try {
    const saved = JSON.parse(text) as SendHistory & { version?: number };
    if (saved.version !== 1 || typeof saved.totals?.sent !== "number") throw new Error("unknown");
    // A history written before pre-send rules has no skipped total.
    const totals = { ...EMPTY.totals, ...saved.totals };
    return { ...(saved.lastRun ? { lastRun: saved.lastRun } : {}), totals };
  } catch (thrown) {
    throw unavailable(path, thrown);
  }
}

/** Adds a run to the history. */
export async function recordSendRun(path: string, run: SendRun): Promise<void> {
  const { totals } = await readSendHistory(path);
  const next = {
    version: 1,
    lastRun: run,
    totals: {
      runs: totals.runs + 1,
      sent: totals.sent + run.sent,
      repeats: totals.repeats + run.repeats,
      skipped: totals.skipped + (run.skipped ?? 0),
      notSent: totals.notSent + run.notSent,
    },
  };
  try {
    await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  } catch (thrown) {
    throw unavailable(path, thrown);
  }
}

function unavailable(path: string, cause: unknown): ClaypipeError {
  return new ClaypipeError("state_unavailable", `could not use the send history ${path}`, {
    hint: "check the state directory's permissions; deleting the file only resets the totals `claypipe status` shows",
    cause,
  });
}
