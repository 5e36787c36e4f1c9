/**
 * Credit windows and the caps that apply to a lead. Caps are per UTC day
 * ("day:2026-11-25") and per UTC month ("month:2026-11"), for the lead's
 * workspace ("workspace:<name>") and for its intake source ("source:<name>").
 */
import type { ClaypipeConfig, CreditCapsConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";
import type { CreditCap } from "../store/credit-ledger.js";

export type WindowKind = "day" | "month";

export interface CreditWindow {
  kind: WindowKind;
  /** e.g. "day:2026-11-25" */
  key: string;
  /** Its first millisecond (UTC). */
  start: number;
  /** The first millisecond of the next window. */
  end: number;
}

/** The window of `kind` that holds `now`. */
export function windowAt(kind: WindowKind, now: number): CreditWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (kind === "month") {
    return {
      kind,
      key: `month:${year}-${pad(month + 1)}`,
      start: Date.UTC(year, month, 1),
      end: Date.UTC(year, month + 1, 1),
    };
  }
  const day = date.getUTCDate();
  return {
    kind,
    key: `day:${year}-${pad(month + 1)}-${pad(day)}`,
    start: Date.UTC(year, month, day),
    end: Date.UTC(year, month, day + 1),
  };
}

/** When the window after the one holding `now` begins (ms, UTC midnight). */
export function nextWindowStart(kind: WindowKind, now: number): number {
  return windowAt(kind, now).end;
}

const KEY = /^(day|month):(\d{4})-(\d{2})(?:-(\d{2}))?$/;

/** The window a key names; a key the ledger got from `windowAt` always parses. */
export function parseWindowKey(key: string): CreditWindow {
  const match = KEY.exec(key);
  const kind = match?.[1] as WindowKind | undefined;
  if (!match || !kind || (kind === "day") !== (match[4] !== undefined)) {
    throw new ClaypipeError("input_invalid", `"${key}" is not a credit window key`, {
      hint: 'use "day:YYYY-MM-DD" or "month:YYYY-MM"',
    });
  }
  const start = Date.UTC(Number(match[2]), Number(match[3]) - 1, Number(match[4] ?? 1));
  return windowAt(kind, start);
}

/** Every cap on a lead of this workspace and source at `now`; a cap with no limit is left out. */
export function capsFor(
  config: ClaypipeConfig,
  lead: { workspace: string; source: string },
  now: number,
): CreditCap[] {
  const workspace = config.clay.workspaces.find((entry) => entry.name === lead.workspace);
  const source = config.sources.find((entry) => entry.name === lead.source);
  return [
    ...capsOf(`workspace:${lead.workspace}`, workspace?.credits, now),
    ...capsOf(`source:${lead.source}`, source?.credits, now),
  ];
}

function capsOf(scope: string, caps: CreditCapsConfig | undefined, now: number): CreditCap[] {
  const found: CreditCap[] = [];
  const add = (kind: WindowKind, limit: CreditCapsConfig["daily"]) => {
    if (limit?.actions === undefined && limit?.data === undefined) return;
    found.push({ scope, window: windowAt(kind, now).key, limit: { ...limit } });
  };
  add("day", caps?.daily);
  add("month", caps?.monthly);
  return found;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** Every scope that may carry caps, with its caps: each workspace, then each source. */
export function capScopes(config: ClaypipeConfig): Array<[scope: string, caps: CreditCapsConfig]> {
  return [
    ...config.clay.workspaces.map((ws): [string, CreditCapsConfig] => [
      `workspace:${ws.name}`,
      ws.credits,
    ]),
    ...config.sources.map((source): [string, CreditCapsConfig] => [
      `source:${source.name}`,
      source.credits,
    ]),
  ];
}
