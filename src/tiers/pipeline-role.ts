/**
 * What one process of a multi-process tier does. The queue tier splits into
 * an API process and workers; the event tier into its four services — intake,
 * enricher, receiver, router — each scaled on its own, with `api` and `worker`
 * as the queue tier's pairs of them. `all` is every duty in one process.
 */
import { ClaypipeError } from "../core/errors.js";

export const QUEUE_ROLES = ["api", "worker", "all"] as const;
export const EVENT_ROLES = ["intake", "enricher", "receiver", "router", ...QUEUE_ROLES] as const;

export type PipelineRole = (typeof EVENT_ROLES)[number];

export interface RoleDuties {
  /** Serves the intake API: leads, forms, HubSpot and CRM events. */
  intake: boolean;
  /** Serves Clay's callbacks. */
  callbacks: boolean;
  /** Puts due leads from the store's outbox on the queue or the bus. */
  feed: boolean;
  /** Sends leads to Clay, and runs what decides when a lead goes (deferred, capacity, deadline, crash recovery). */
  send: boolean;
  /** Turns callbacks into results and delivers them to the sinks. */
  route: boolean;
}

const DUTIES: Record<PipelineRole, RoleDuties> = {
  intake: { intake: true, callbacks: false, feed: true, send: false, route: false },
  enricher: { intake: false, callbacks: false, feed: true, send: true, route: false },
  receiver: { intake: false, callbacks: true, feed: false, send: false, route: false },
  router: { intake: false, callbacks: false, feed: false, send: false, route: true },
  api: { intake: true, callbacks: true, feed: true, send: false, route: false },
  worker: { intake: false, callbacks: false, feed: true, send: true, route: true },
  all: { intake: true, callbacks: true, feed: true, send: true, route: true },
};

export function dutiesOf(role: PipelineRole): RoleDuties {
  return DUTIES[role];
}

/** True when the process answers HTTP: it takes leads in or Clay's callbacks. */
export function servesHttp(role: PipelineRole): boolean {
  const duties = dutiesOf(role);
  return duties.intake || duties.callbacks;
}

/** The roles a tier runs, checked: the event tier's four services are not the queue tier's. */
export function parseRole(value: string, tier: string): PipelineRole {
  const roles: readonly string[] = tier === "event" ? EVENT_ROLES : QUEUE_ROLES;
  if (roles.includes(value)) return value as PipelineRole;
  const eventOnly = (EVENT_ROLES as readonly string[]).includes(value);
  throw new ClaypipeError(
    "input_invalid",
    eventOnly
      ? `--role ${value} is a role of the event tier, and this config's tier is ${tier}`
      : `--role ${value} is not a role`,
    { hint: `the ${tier} tier's roles: ${roles.join(", ")}` },
  );
}
