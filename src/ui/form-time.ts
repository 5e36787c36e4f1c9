/**
 * A time a person typed into a dashboard form, read as UTC: a date
 * (2026-12-04) or a date and time as a `datetime-local` input sends it
 * (2026-12-04T08:30, seconds optional). Anything else is not a time, including
 * a date that does not exist: Date.parse would roll 2026-02-31 into March.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/;

/** The time in ms, or undefined when the text is not one. */
export function readFormTime(text: string): number | undefined {
  if (text.length > 19 || !DATE_TIME.test(text)) return undefined;
  const ms = Date.parse(`${text.length === 10 ? `${text}T00:00` : text}Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, text.length) !== text) {
    return undefined;
  }
  return ms;
}
