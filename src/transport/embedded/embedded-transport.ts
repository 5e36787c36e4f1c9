/**
 * The standard tier's transport: one process claims due leads straight from
 * the store's outbox (the send step) and wakes as soon as new leads arrive.
 */
import { EventEmitter } from "node:events";
import { runLoop } from "../../core/run-loop.js";
import type { CreditBudget } from "../../pipeline/credit-budget.js";
import type { LeadSendContext } from "../../pipeline/lead-send.js";
import type { Transport } from "../transport.js";
import { createSendStep } from "./send-step.js";

export function createEmbeddedTransport(ctx: LeadSendContext, budget: CreditBudget): Transport {
  const newWork = new EventEmitter();
  const step = createSendStep(ctx, { budget });
  return {
    notify: () => newWork.emit("work"),
    run: (signal) =>
      runLoop(
        {
          name: "send",
          step,
          clock: ctx.clock,
          logger: ctx.logger,
          wake: (listener) => {
            newWork.on("work", listener);
            return () => newWork.off("work", listener);
          },
        },
        signal,
      ),
    // The outbox is the store: `status.states.queued` is its depth.
    depth: async () => [],
    close: async () => {},
  };
}
