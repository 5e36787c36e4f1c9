/**
 * What every pipeline service is given: config, store, clock, logger, and the
 * Clay edge and sinks built once by the tier's wiring. Services talk to each
 * other only through the store (a lead's state) and the events below, so any
 * of them can run in another process in the queue and event tiers.
 */
import { EventEmitter } from "node:events";
import type { Breaker } from "../clay/breaker/circuit-breaker.js";
import type { CallbackSigner } from "../clay/callback-token.js";
import type { PublicApiClient } from "../clay/public-api-client.js";
import type { ClaySender } from "../clay/sender.js";
import type { ClaypipeConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { Router } from "../routing/router.js";
import type { Sink } from "../sinks/sink.js";
import type { EnrichedRow, Store } from "../store/store.js";

/** In-process notifications; the store stays the source of truth. */
export interface PipelineEvents {
  /** A lead (or a duplicate sharing its result) became enriched. */
  enriched: [leadId: string, row: EnrichedRow];
  /** A lead went to the DLQ. */
  dead: [leadId: string, reason: string];
  /** Every sink delivery of a lead is settled. */
  delivered: [leadId: string];
}

export interface PipelineContext {
  readonly config: ClaypipeConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signer: CallbackSigner;
  /** One sender per workspace name. */
  readonly senders: ReadonlyMap<string, ClaySender>;
  /** Public API clients for workspaces that configure one (reconcile). */
  readonly publicApis: ReadonlyMap<string, PublicApiClient>;
  /** One breaker per workspace name. */
  readonly breakers: ReadonlyMap<string, Breaker>;
  readonly router: Router;
  /** Sinks by name, built when the pipeline starts delivering (empty before). */
  readonly sinks: ReadonlyMap<string, Sink>;
  readonly events: EventEmitter<PipelineEvents>;
}

export function createPipelineEvents(): EventEmitter<PipelineEvents> {
  const events = new EventEmitter<PipelineEvents>();
  // Every enrich() call waits on "enriched"; many may wait at once.
  events.setMaxListeners(0);
  return events;
}
