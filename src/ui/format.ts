/** How figures read on the dashboard: grouped numbers, short durations, UTC times. */

// Built on the first page drawn: an Intl formatter loads ICU's locale data (~7 MB
// of resident memory), which an idle service that nobody looks at need not hold.
let numberFormat: Intl.NumberFormat | undefined;

export function formatNumber(value: number): string {
  numberFormat ??= new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  return numberFormat.format(value);
}

/** A share as a whole percent, "—" when there is no limit. */
export function formatPercent(used: number, limit: number | undefined): string {
  if (limit === undefined || limit <= 0) return "—";
  return `${Math.round((used / limit) * 100)}%`;
}

/** "2 d 3 h", "3 h 20 min", "45 min", "30 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3600],
    ["min", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) parts.push(`${count} ${name}`);
    if (count > 0) rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(" ") : "0 s";
}

/** "2026-12-04 05:12:09 UTC". */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
