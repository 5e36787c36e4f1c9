/** The standard tier's embedded transport runs the transport contract. */
import { createEmbeddedTransport } from "../../src/transport/embedded/embedded-transport.js";
import { transportContract } from "./transport-contract.js";

transportContract("embedded transport", {
  create: async (side) =>
    createEmbeddedTransport({
      leads: side.store.leads,
      clock: side.clock,
      logger: side.ctx.logger,
      concurrency: side.config.sender.concurrency,
    }),
});
