/**
 * Whether callbacks stopped arriving: leads await Clay's callback and, for at
 * least `silenceMs`, none has finished (the count of enriched and delivered
 * leads has not moved). Kept across checks; nothing awaiting resets it.
 */
import type { LeadState } from "../core/lead-state.js";

export function createCallbackSilence(silenceMs: number) {
  let finished: number | undefined;
  let quietSince = 0;
  return (states: Record<LeadState, number>, now: number): { holds: boolean; forMs: number } => {
    const done = states.enriched + states.delivered;
    if (states.awaiting_callback === 0 || done !== finished) {
      finished = done;
      quietSince = now;
    }
    const forMs = now - quietSince;
    return { holds: states.awaiting_callback > 0 && forMs >= silenceMs, forMs };
  };
}
