/**
 * A Slack message from a template over the enriched row. The template is the
 * user's own mrkdwn (bold, links, emoji stay as written); each `{{field}}` is
 * replaced by the row's value in one pass, so a value holding `{{…}}` is shown,
 * never expanded. Values are escaped as Slack asks (`&`, `<`, `>` as HTML
 * entities, so a value can neither link, mention `<!channel>`, nor break the
 * markup), kept to one line and to MAX_VALUE_CHARS; a missing or empty field
 * shows as a dash. The result fits a section block's text (3,000 characters).
 */
import { rowValue } from "../row-value.js";

/** Slack's limit on a section block's text. */
export const MAX_SECTION_CHARS = 3000;
/** Longest value one placeholder shows; longer ones end in "…". */
export const MAX_VALUE_CHARS = 500;
export const MISSING_VALUE = "-";

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
// Line breaks and other control characters: a value stays on its line (no "> quote" of its own).
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;

export function renderSlackTemplate(template: string, row: Record<string, unknown>): string {
  const text = template.replace(PLACEHOLDER, (_placeholder, field: string) =>
    escapeMrkdwn(valueText(rowValue(row, field))),
  );
  return truncate(text, MAX_SECTION_CHARS);
}

/** Slack's escaping for text it parses: only these three, as HTML entities. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function valueText(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else if (typeof value === "boolean") text = String(value);
  else if (value !== null && typeof value === "object") text = JSON.stringify(value);
  else text = "";
  text = text.replace(CONTROL, " ").trim();
  if (text === "") return MISSING_VALUE;
  return [...text].length > MAX_VALUE_CHARS ? cut(text, MAX_VALUE_CHARS) : text;
}

/** At most `max` characters: cut before an entity it would split, then "…". */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return cut(text, max).replace(/&[a-z]{0,3}…$/, "…");
}

// By code points, so an emoji is never split in half.
function cut(text: string, max: number): string {
  let kept = "";
  for (const char of text) {
    if (kept.length + char.length > max - 1) break;
    kept += char;
  }
  return `${kept}…`;
}
