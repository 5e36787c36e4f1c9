/**
 * The alert check across processes: two sending processes sharing one store
 * (two connections to one SQLite file) see the same changes, and each change
 * is notified by one of them; a process started later does not say again what
 * was said, and says a clearing that happened while none watched.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AlertStatus } from "../../src/alerts/alert-conditions.js";
import type { AlertMessage } from "../../src/alerts/alert-notifier.js";
import { createAlertStep } from "../../src/alerts/alert-step.js";
import { alertsSchema } from "../../src/config/alerts-schema.js";
import { systemClock } from "../../src/core/clock.js";
import { LEAD_STATES } from "../../src/core/lead-state.js";
import { silentLogger } from "../../src/logging/create-logger.js";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { makeTempDir } from "../temp-dirs.js";
import { useCleanup } from "../tiers/tier-kit.js";

const cleanup = useCleanup();
const config = alertsSchema.parse({
  targets: [{ type: "webhook", url: "http://127.0.0.1:1/alerts" }],
});

function status(breaker: "open" | "closed"): AlertStatus {
  return {
    states: Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as AlertStatus["states"],
    credits: [],
    capacity: [],
    breakers: [{ workspace: "main", state: breaker }],
    dlq: { leads: 0, deliveries: 0 },
  };
}

describe("the alert check", () => {
  it("says each change once across processes sharing the store, and not again after a restart", async () => {
    const path = join(makeTempDir("alert-step"), "claypipe.db");
    let breaker: "open" | "closed" = "closed";
    const said: string[] = [];
    /** A sending process: its own store connection and alert check, noting what it notifies. */
    const startProcess = async (name: string) => {
      const store = await createSqliteStore({ path });
      cleanup(() => store.close());
      const step = createAlertStep(config, {
        readStatus: async () => status(breaker),
        counters: store.counters,
        clock: systemClock,
        logger: silentLogger(),
        notify: async (message: AlertMessage) => {
          said.push(`${name} ${message.state}:${message.key}`);
          return true;
        },
      });
      return () => step(new AbortController().signal);
    };
    const [first, second] = [await startProcess("first"), await startProcess("second")];
    const both = async () => {
      await first();
      await second();
    };

    await both();
    expect(said).toEqual([]);
    breaker = "open";
    await both();
    await both();
    expect(said).toEqual(["first raised:breaker:main"]);
    breaker = "closed";
    await second();
    await first();
    expect(said).toEqual(["first raised:breaker:main", "second cleared:breaker:main"]);
    breaker = "open";
    await both();
    expect(said).toHaveLength(3);
    expect(said[2]).toBe("first raised:breaker:main");

    // A process started while the breaker is still open says nothing new.
    const third = await startProcess("third");
    await third();
    expect(said).toHaveLength(3);
    // One started after it closed unseen says it closed, once.
    breaker = "closed";
    const fourth = await startProcess("fourth");
    await fourth();
    await both();
    expect(said.slice(3)).toEqual(["fourth cleared:breaker:main"]);
  });

  it("tries a notification that failed again at the next check, and only that one", async () => {
    const store = await createSqliteStore({ path: ":memory:" });
    cleanup(() => store.close());
    let attempts = 0;
    const step = createAlertStep(config, {
      readStatus: async () => status("open"),
      counters: store.counters,
      clock: systemClock,
      logger: silentLogger(),
      notify: async () => {
        attempts++;
        return attempts > 1;
      },
    });
    const signal = new AbortController().signal;
    await step(signal);
    await step(signal);
    await step(signal);
    expect(attempts).toBe(2);
  });
});
