/** Numbers as the advisor's sentences show them: "12,500", "0.35", "10.4". */

// Built on first use: the first Intl formatter of a process costs ~10 ms (ICU's
// locale data), paid by every importer of claypipe if built at load.
let formats:
  | { whole: Intl.NumberFormat; small: Intl.NumberFormat; rate: Intl.NumberFormat }
  | undefined;

function numberFormats(): NonNullable<typeof formats> {
  formats ??= {
    whole: new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }),
    small: new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 }),
    rate: new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }),
  };
  return formats;
}

export function formatCount(value: number): string {
  return numberFormats().whole.format(value);
}

/** Records per second: two significant digits below 10, one decimal above. */
export function formatRate(value: number): string {
  const { small, rate } = numberFormats();
  return value < 10 ? small.format(value) : rate.format(value);
}

/** "about 25 days", "over a year". */
export function formatDays(days: number): string {
  if (days > 365) return "over a year";
  if (days < 1) return "less than a day";
  return `about ${numberFormats().whole.format(Math.floor(days))} ${Math.floor(days) === 1 ? "day" : "days"}`;
}
