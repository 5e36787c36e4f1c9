/**
 * The bus the event-tier demo runs on: this machine's NATS with JetStream
 * (NATS_URL, or the local default), with topics under a prefix of the demo's
 * own whose streams are deleted when it ends.
 */
import { streamNameFor } from "../bus/nats/nats-streams.js";
import { ClaypipeError } from "../core/errors.js";
import { importBackend } from "../core/import-backend.js";

export interface EventDemoBus {
  servers: string;
  topics: { incoming: string; deadLetters: string; enriched: string; leadEvents: string };
  /** Deletes the demo's streams. */
  remove(): Promise<void>;
}

const HINT =
  "the event demo needs NATS with JetStream (and PostgreSQL and Redis): start `nats-server -js`, or set NATS_URL (`claypipe demo` alone runs the standard tier, which needs none of them)";

export async function openEventDemoBus(
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EventDemoBus> {
  const servers = env.NATS_URL || "nats://127.0.0.1:4222";
  const { connect } = await importBackend(
    "@nats-io/transport-node",
    "the event demo",
    () => import("@nats-io/transport-node"),
  );
  const { jetstreamManager } = await importBackend(
    "@nats-io/jetstream",
    "the event demo",
    () => import("@nats-io/jetstream"),
  );
  const nc = await connect({ servers, timeout: 3000 }).catch((error: unknown) => {
    throw new ClaypipeError("state_unavailable", `cannot reach NATS at ${servers}`, {
      hint: HINT,
      cause: error,
    });
  });
  const jsm = await jetstreamManager(nc).catch(async (error: unknown) => {
    await nc.close();
    throw new ClaypipeError("state_unavailable", `NATS at ${servers} has no JetStream`, {
      hint: HINT,
      cause: error,
    });
  });
  return {
    servers,
    topics: {
      incoming: `${prefix}.leads.incoming`,
      deadLetters: `${prefix}.dlq.clay`,
      enriched: `${prefix}.enriched.contacts`,
      leadEvents: `${prefix}.claypipe.lead-events`,
    },
    async remove() {
      const names: string[] = [];
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(streamNameFor(prefix))) names.push(name);
      }
      await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
      await nc.close();
    },
  };
}
