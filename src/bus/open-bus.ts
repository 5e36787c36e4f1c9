/**
 * Opens the Bus the top-level `bus` config names. Each adapter's module (and
 * its client library) loads only here, when a config uses it.
 */
import type { BusConnection } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";
import type { Logger } from "../logging/create-logger.js";
import type { Bus } from "./bus.js";

export async function openBus(config: BusConnection, deps: { logger?: Logger } = {}): Promise<Bus> {
  if (config.nats !== undefined) {
    const { createNatsBus } = await import("./nats/nats-bus.js");
    const { servers, user, password, token, ackWait } = config.nats;
    return createNatsBus({
      servers,
      ...(ackWait === undefined ? {} : { ackWaitMs: ackWait }),
      ...(user === undefined ? {} : { user, pass: password }),
      ...(token === undefined ? {} : { token }),
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    });
  }
  if (config.kafka === undefined) {
    throw new ClaypipeError("config_invalid", "the bus names no broker", {
      hint: "set bus.nats.servers (NATS JetStream) or bus.kafka.brokers",
    });
  }
  const { brokers, clientId, tls, sasl } = config.kafka;
  const { openKafkaBus } = await import("./kafka/kafka-bus.js");
  return openKafkaBus({
    brokers,
    clientId,
    clientConfig: {
      "security.protocol": `${sasl ? "sasl_" : ""}${tls ? "ssl" : "plaintext"}`,
      ...(sasl && {
        "sasl.mechanisms": sasl.mechanism.toUpperCase(),
        "sasl.username": sasl.username,
        "sasl.password": sasl.password,
      }),
    },
  });
}
