/** What a sink may be given instead of the real thing: tests pass a manual clock or their own fetch. */
import type { BusConnection } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";

export interface SinkDeps {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** The top-level `bus` connection, for bus sinks. */
  bus?: BusConnection;
}
