/**
 * The standard tier's transport: one process claims due leads straight from
 * the store's outbox (the send step) and wakes as soon as new leads arrive.
 */
import { EventEmitter } from "node:events";
import type { Clock } from "../../core/clock.js";
import { runLoop } from "../../core/run-loop.js";
import type { Logger } from "../../logging/create-logger.js";
import type { LeadStore } from "../../store/lead-store.js";
import type { Transport } from "../transport.js";
import { createSendStep } from "./send-step.js";

export interface EmbeddedTransportOptions {
  leads: LeadStore;
  clock: Clock;
  logger: Logger;
  /** Sends at once (sender.concurrency). */
  concurrency: number;
}

export function createEmbeddedTransport(options: EmbeddedTransportOptions): Transport {
  const newWork = new EventEmitter();
  return {
    notify: () => newWork.emit("work"),
    run: (handler, signal) =>
      runLoop(
        {
          name: "send",
          step: createSendStep(handler, options),
          clock: options.clock,
          logger: options.logger,
          wake: (listener) => {
            newWork.on("work", listener);
            return () => newWork.off("work", listener);
          },
        },
        signal,
      ),
    // The outbox is the store: `status.states.queued` is its depth.
    depth: async () => [],
    lag: async () => [],
    close: async () => {},
  };
}
