/**
 * The bus sink: publishes each routed result as one CloudEvent to a topic of
 * the user's choosing, on the top-level `bus` connection (NATS JetStream or
 * Kafka). deliver() answers ok only once the broker acknowledged. The
 * connection opens at the first deliver() and again after a failed open, so a
 * broker that is down at start delays deliveries instead of stopping claypipe.
 */
import type { z } from "zod";
import type { Bus, OutgoingMessage } from "../../bus/bus.js";
import { checkOutgoing } from "../../bus/check-outgoing.js";
import { CloudEventError } from "../../bus/cloud-event.js";
import { openBus } from "../../bus/open-bus.js";
import type { busSinkSchema } from "../../config/sink-schema.js";
import { ClaypipeError, coerceError } from "../../core/errors.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import { eventId, toBusMessage } from "./bus-sink-event.js";

export type BusSinkConfig = z.output<typeof busSinkSchema>;

const MAX_BATCH = 100;
// Errors no retry fixes: the message itself, or the config, needs a person.
const FINAL_CODES = new Set(["payload_too_large", "input_invalid", "config_invalid"]);

export function createBusSink(config: BusSinkConfig, deps: SinkDeps = {}): Sink {
  const busConfig = deps.bus;
  if (busConfig === undefined) {
    throw new ClaypipeError(
      "config_invalid",
      `sink ${config.name} publishes to the bus, and no bus is set`,
      {
        hint: "add a top-level bus with nats.servers or kafka.brokers",
      },
    );
  }
  const lifecycle = new SinkLifecycle();
  let bus: Promise<Bus> | undefined;

  const connect = (): Promise<Bus> => {
    if (bus === undefined) {
      const opening = openAndEnsureTopic(config.topic, busConfig, deps);
      bus = opening;
      // A failed open is tried again at the next deliver().
      opening.catch(() => {
        if (bus === opening) bus = undefined;
      });
    }
    return bus;
  };

  async function publishAll(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
    const results: SinkResult[] = records.map(() => ({ ok: true }));
    const events = distinctEvents(records, config, results);
    if (events.length === 0) return results;
    let connection: Bus;
    try {
      connection = await untilAborted(connect(), signal);
    } catch (error) {
      signal.throwIfAborted();
      const failure = failureOf(error, config);
      for (const { at } of events) for (const i of at) results[i] = failure;
      return results;
    }
    // Issued in record order on one connection, so one key's events keep their order.
    const outcomes = await untilAborted(
      Promise.allSettled(events.map(({ message }) => connection.publish(config.topic, [message]))),
      signal,
    );
    events.forEach(({ at }, n) => {
      const outcome = outcomes[n]!;
      if (outcome.status === "rejected") {
        for (const i of at) results[i] = failureOf(outcome.reason, config);
      }
    });
    return results;
  }

  return {
    name: config.name,
    maxBatch: MAX_BATCH,
    deliver(records, signal) {
      return lifecycle.run(records, signal, (combined) => publishAll(records, combined));
    },
    async close() {
      await lifecycle.close();
      const opened = bus;
      bus = undefined;
      if (opened !== undefined)
        await opened.then(
          (connection) => connection.close(),
          () => undefined,
        );
    },
  };
}

async function openAndEnsureTopic(
  topic: string,
  busConfig: NonNullable<SinkDeps["bus"]>,
  deps: SinkDeps,
): Promise<Bus> {
  const opened = await openBus(busConfig, deps.logger === undefined ? {} : { logger: deps.logger });
  try {
    await opened.ensureTopics([topic]);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/**
 * One message per distinct event (a lead twice in one batch is one event),
 * with the positions of its records; a record that can be no message gets its
 * final failure in `results` instead.
 */
function distinctEvents(
  records: readonly SinkRecord[],
  config: BusSinkConfig,
  results: SinkResult[],
): Array<{ message: OutgoingMessage; at: number[] }> {
  const events = new Map<string, { message: OutgoingMessage; at: number[] }>();
  records.forEach((record, at) => {
    const built = buildMessage(record, config);
    if ("refused" in built) {
      results[at] = { ok: false, retryable: false, reason: built.refused };
      return;
    }
    const id = eventId(record, config.name);
    const event = events.get(id) ?? { message: built.message, at: [] };
    event.at.push(at);
    events.set(id, event);
  });
  return [...events.values()];
}

function buildMessage(
  record: SinkRecord,
  config: BusSinkConfig,
): { message: OutgoingMessage } | { refused: string } {
  try {
    const built = toBusMessage(record, {
      sinkName: config.name,
      eventSource: config.eventSource,
      eventType: config.eventType,
    });
    if ("message" in built) checkOutgoing(config.topic, [built.message]);
    return built;
  } catch (error) {
    if (error instanceof CloudEventError || error instanceof ClaypipeError) {
      return { refused: `the record cannot be a bus message: ${error.message}` };
    }
    throw error;
  }
}

/** A failed open or publish as a result: retryable unless no retry can fix it. */
function failureOf(error: unknown, config: BusSinkConfig): SinkResult {
  if (error instanceof ClaypipeError) {
    const reason = error.hint ? `${error.message}; ${error.hint}` : error.message;
    return { ok: false, retryable: !FINAL_CODES.has(error.code), reason };
  }
  return {
    ok: false,
    retryable: true,
    reason: `the bus did not acknowledge a publish to ${config.topic}: ${coerceError(error).message}`,
  };
}

/** The promise's value, or the signal's reason as soon as it aborts (a publish cannot be called back). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
