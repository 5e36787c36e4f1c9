/**
 * How leads travel from the store's outbox to the senders. The store stays
 * the source of truth (each lead's state); a transport only carries the work.
 * The embedded one (standard tier) claims due leads from the store itself; the
 * BullMQ one (queue tier) feeds them into one Redis queue per workspace, from
 * which any number of worker processes take them.
 */
export interface QueueDepth {
  workspace: string;
  /** Jobs waiting for a worker. */
  waiting: number;
  /** Jobs a worker holds now. */
  active: number;
  /** Jobs waiting for their retry backoff to end. */
  delayed: number;
}

export interface Transport {
  /** New leads are in the outbox: carry them now rather than at the next look. */
  notify(): void;
  /**
   * Carries leads to Clay until `signal` aborts, then resolves once the sends
   * in flight have finished or been handed back.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Jobs in each workspace's queue; empty for a transport whose queue is the store. */
  depth(): Promise<QueueDepth[]>;
  /** Frees what the transport holds (connections); after `run` has resolved. */
  close(): Promise<void>;
}
