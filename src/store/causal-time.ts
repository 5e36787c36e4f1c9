/**
 * The time a lead's next move is recorded at: the caller's clock, but never
 * before the lead's previous move. Callers read their clocks at different
 * moments (intake before its grouped admit commits) and, in the queue tier,
 * on different machines; a lead's history must still read in causal order.
 */
export function causalTime(now: number, previous: number): number {
  return Math.max(now, previous);
}
