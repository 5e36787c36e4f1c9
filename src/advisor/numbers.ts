/** Numbers as the advisor's sentences show them: "12,500", "0.35", "10.4". */

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const small = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 });
const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return whole.format(value);
}

/** Records per second: two significant digits below 10, one decimal above. */
export function formatRate(value: number): string {
  return value < 10 ? small.format(value) : rate.format(value);
}

/** "about 25 days", "over a year". */
export function formatDays(days: number): string {
  if (days > 365) return "over a year";
  if (days < 1) return "less than a day";
  return `about ${whole.format(Math.floor(days))} ${Math.floor(days) === 1 ? "day" : "days"}`;
}
