/**
 * The message bus (the event tier's transport, and where bus sinks publish),
 * reached once: NATS with its server version and JetStream, Kafka with its
 * brokers' topics. The Kafka client is an optional package: missing, the line
 * says how to install it.
 */
import type { BusConfig } from "../config/schema.js";
import { importBackend } from "../core/import-backend.js";
import { shownAddress } from "./addresses.js";
import { type DoctorCheck, error, ok } from "./doctor-report.js";
import type { Probe } from "./probe.js";
import { unsetSecret } from "./unset-secret.js";

export function busProbes(bus: BusConfig | undefined, timeoutMs: number): Probe[] {
  if (bus?.nats) return [natsProbe(bus.nats, timeoutMs)];
  if (bus?.kafka) return [kafkaProbe(bus.kafka, timeoutMs)];
  return [];
}

function natsProbe(nats: NonNullable<BusConfig["nats"]>, timeoutMs: number): Probe {
  const servers = [nats.servers].flat();
  const address = servers.map(shownAddress).join(", ");
  const hint = "start nats-server with JetStream (`nats-server -js`), or fix bus.nats.servers";
  return {
    group: "bus",
    name: "bus.nats",
    address,
    hint,
    async run(signal): Promise<DoctorCheck[]> {
      for (const [value, key] of [
        [nats.password, "bus.nats.password"],
        [nats.token, "bus.nats.token"],
      ] as const) {
        const unset = value === undefined ? undefined : unsetSecret("bus", "bus.nats", value, key);
        if (unset) return [unset];
      }
      const transport = await importBackend(
        "@nats-io/transport-node",
        "the NATS bus",
        () => import("@nats-io/transport-node"),
      );
      const { jetstreamManager } = await importBackend(
        "@nats-io/jetstream",
        "the NATS bus",
        () => import("@nats-io/jetstream"),
      );
      let nc: Awaited<ReturnType<typeof transport.connect>>;
      try {
        nc = await transport.connect({
          servers,
          name: "claypipe doctor",
          timeout: timeoutMs,
          reconnect: false,
          ...(nats.user === undefined ? {} : { user: nats.user, pass: nats.password }),
          ...(nats.token === undefined ? {} : { token: nats.token }),
        });
      } catch (thrown) {
        return [
          error(
            "bus",
            "bus.nats",
            `cannot reach NATS at ${address}: ${(thrown as Error).message}`,
            hint,
          ),
        ];
      }
      signal.addEventListener("abort", () => void nc.close(), { once: true });
      try {
        const version = `NATS ${nc.info?.version ?? "(version unknown)"} at ${address}`;
        try {
          await jetstreamManager(nc, { timeout: timeoutMs });
        } catch {
          return [
            error(
              "bus",
              "bus.nats",
              `${version} does not offer JetStream`,
              "start nats-server with -js, or enable JetStream for this account",
            ),
          ];
        }
        return [ok("bus", "bus.nats", `${version}, JetStream on`)];
      } finally {
        await nc.close().catch(() => undefined);
      }
    },
  };
}

function kafkaProbe(kafka: NonNullable<BusConfig["kafka"]>, timeoutMs: number): Probe {
  const address = kafka.brokers.join(", ");
  const hint = "start the Kafka brokers, or fix bus.kafka.brokers (and tls, sasl)";
  return {
    group: "bus",
    name: "bus.kafka",
    address,
    hint,
    async run(): Promise<DoctorCheck[]> {
      const unset = kafka.sasl
        ? unsetSecret("bus", "bus.kafka", kafka.sasl.password, "bus.kafka.sasl.password")
        : undefined;
      if (unset) return [unset];
      const { loadKafkaClient } = await import("../bus/kafka/kafka-client.js");
      const client = await loadKafkaClient();
      const admin = new client.KafkaJS.Kafka({
        "security.protocol": `${kafka.sasl ? "sasl_" : ""}${kafka.tls ? "ssl" : "plaintext"}`,
        ...(kafka.sasl && {
          "sasl.mechanisms": kafka.sasl.mechanism.toUpperCase(),
          "sasl.username": kafka.sasl.username,
          "sasl.password": kafka.sasl.password,
        }),
        kafkaJS: {
          brokers: [...kafka.brokers],
          clientId: `${kafka.clientId}-doctor`,
          connectionTimeout: timeoutMs,
          requestTimeout: timeoutMs,
          logLevel: 0,
        },
      }).admin();
      // Bounded by the client itself: disconnecting while a request waits blocks the event loop.
      const requestTimeout = Math.max(100, Math.floor(timeoutMs * 0.8));
      try {
        await admin.connect();
        const topics = await admin.listTopics({ timeout: requestTimeout });
        return [ok("bus", "bus.kafka", `Kafka at ${address}: ${topics.length} topics`)];
      } catch (thrown) {
        return [
          error(
            "bus",
            "bus.kafka",
            `cannot use Kafka at ${address}: ${(thrown as Error).message}`,
            hint,
          ),
        ];
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
