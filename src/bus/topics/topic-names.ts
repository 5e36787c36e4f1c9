/**
 * The event tier's topics and their default names (the seed design's), for
 * the config to override. Each name is a NATS subject and a Kafka topic.
 */

/** What each topic carries; the config names the topic for each role. */
export interface TopicNames {
  /** Leads to enrich: claypipe's own intake and other systems (CDC, product events). */
  incoming: string;
  /** Every enriched row Clay called back with, for the router and downstream services. */
  enriched: string;
  /** What the event tier gives up on or cannot afford yet, with the reason. */
  deadLetters: string;
  /** Every lifecycle transition of every lead, for downstream services and audits. */
  leadEvents: string;
}

export const DEFAULT_TOPIC_NAMES: Readonly<TopicNames> = Object.freeze({
  incoming: "leads.incoming",
  enriched: "enriched.contacts",
  deadLetters: "dlq.clay",
  leadEvents: "claypipe.lead-events",
});
