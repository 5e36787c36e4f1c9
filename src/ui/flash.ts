/**
 * What an action did, told on the page it redirects to (post, redirect, get:
 * a reload never posts again). The outcome travels in the query as a known
 * kind and numbers only, so a crafted link cannot put words on the page.
 */
import { formatNumber, formatTime } from "./format.js";
import { type Html, html } from "./html.js";

export type FlashKind =
  | "replayed"
  | "replayed_deliveries"
  | "purged"
  | "requeued"
  | "swept"
  | "none_chosen";

export interface FlashFigures {
  /** How many moved (or went). */
  n: number;
  /** Leads dead as `budget` a replay left dead. */
  held?: number;
  /** When the caps that hold them open (ms). */
  until?: number;
}

/** The query fields of an outcome, to add to the redirect's URL. */
export function flashQuery(kind: FlashKind, figures: FlashFigures): Record<string, string> {
  return {
    done: kind,
    n: String(figures.n),
    ...(figures.held === undefined ? {} : { held: String(figures.held) }),
    ...(figures.until === undefined ? {} : { until: String(figures.until) }),
  };
}

/** The flash message for a page's query, or nothing when it carries no known outcome. */
export function readFlash(query: Record<string, unknown>): Html {
  const n = count(query.n);
  if (n === undefined) return html``;
  const held = count(query.held);
  const until = count(query.until);
  const text = message(query.done, n, held, until);
  return text === undefined
    ? html``
    : html`<p class="flash" role="status" data-test="flash">${text}</p>`;
}

function message(
  kind: unknown,
  n: number,
  held: number | undefined,
  until: number | undefined,
): string | undefined {
  const capsOpen = until === undefined ? "" : ` until ${formatTime(until)}`;
  switch (kind) {
    case "replayed": {
      const moved =
        n === 0
          ? "Replayed 0 dead leads: none of them is dead any more (a replay moves only what is still dead)."
          : `Replayed ${leads(n)}: they are on their way again.`;
      return held
        ? `${moved} ${leads(held)} dead as budget stay dead: their credit caps have no room${capsOpen}.`
        : moved;
    }
    case "replayed_deliveries":
      return n === 0
        ? "Replayed 0 dead deliveries: none of them is dead any more (a replay moves only what is still dead)."
        : `Replayed ${formatNumber(n)} dead ${n === 1 ? "delivery" : "deliveries"}: each goes to its sink again.`;
    case "purged":
      return `Purged ${leads(n)} for good.`;
    case "requeued":
      return `Requeued ${leads(n)}: they go to the sender now.${until === undefined ? "" : ` A credit cap that held some is still reached until ${formatTime(until)}: they wait for it again at send.`}`;
    case "swept":
      return `The callback deadline sweep took ${leads(n)}: each was reconciled, sent once more or moved to the DLQ.`;
    case "none_chosen":
      return "Nothing was chosen: tick the rows to replay first.";
    default:
      return undefined;
  }
}

function leads(n: number): string {
  return `${formatNumber(n)} ${n === 1 ? "lead" : "leads"}`;
}

function count(value: unknown): number | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > 16) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}
