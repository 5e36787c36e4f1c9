/**
 * The event tier's `claypipe.lead-events` (`bus.topics.leadEvents`): every
 * lifecycle transition of every lead, read from the store's transition feed
 * in commit order and published keyed by the person, so one person's
 * transitions arrive in order. The feed moves on only once the broker
 * acknowledged, so a transition is published at least once; a repeat carries
 * the same message id, which NATS drops within its duplicate window.
 */
import type { Bus } from "../../bus/bus.js";
import { encodeLeadTransition } from "../../bus/topics/lead-transition.js";
import type { BusConfig } from "../../config/bus-schema.js";
import type { TransitionFeed } from "../../store/store.js";

/** Transitions per publish. */
const BATCH = 500;

export function publishLeadEvents(bus: Bus, config: BusConfig, feed: TransitionFeed) {
  const topic = config.topics.leadEvents;
  return {
    duty: "route" as const,
    name: "lead-events",
    idleMs: 500,
    step: () =>
      feed.publishNext(BATCH, (transitions) =>
        bus.publish(
          topic,
          transitions.map((transition) =>
            encodeLeadTransition(
              {
                leadId: transition.leadId,
                from: transition.from,
                to: transition.to,
                at: new Date(transition.at).toISOString(),
                ...(transition.reason === null ? {} : { reason: transition.reason }),
              },
              { key: transition.identityKey },
            ),
          ),
        ),
      ),
  };
}
