/**
 * HTML built from tagged templates that escape every interpolated value, so a
 * lead named `<script>` renders as text. Only `Html` values (made by `html`
 * itself) pass through unescaped; there is no other way to inject markup.
 */

const HTML_BRAND: unique symbol = Symbol("html");

export interface Html {
  readonly [HTML_BRAND]: true;
  readonly text: string;
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Text made safe for an element's content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const escaped = ESCAPES[text[i]!];
    if (escaped === undefined) continue;
    out += text.slice(from, i) + escaped;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && HTML_BRAND in value;
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (isHtml(part)) return part.text;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += render(values[i]!) + strings[i + 1]!;
  return { [HTML_BRAND]: true, text };
}

/** A JSON value for a `<script type="application/json">` block: `<` is escaped so it cannot close the element. */
export function jsonForScript(value: unknown): Html {
  const text = JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028");
  return { [HTML_BRAND]: true, text: text.replaceAll("\u2029", "\\u2029") };
}
