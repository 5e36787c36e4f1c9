/**
 * The background loop: idle pauses end early on a wake, a wake that comes
 * while a step runs is not lost in the pause after it, and a loop told its
 * full pass looks again at once only after a full one.
 */
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { runLoop } from "../../src/core/run-loop.js";
import { silentLogger } from "../../src/logging/create-logger.js";

describe("runLoop", () => {
  it("runs the step again at once when a wake came while it ran", async () => {
    const listeners = new Set<() => void>();
    const wakeAll = () => {
      for (const wake of listeners) wake();
    };
    const passes: number[] = [];
    const controller = new AbortController();
    const start = performance.now();
    const loop = runLoop(
      {
        name: "test",
        clock: systemClock,
        logger: silentLogger(),
        idleMs: 60_000,
        wake: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        step: async () => {
          passes.push(performance.now() - start);
          // The first pass finds nothing, but work arrives (a wake) before it returns.
          if (passes.length === 1) wakeAll();
          if (passes.length === 3) controller.abort();
          return 0;
        },
      },
      controller.signal,
    );
    // The second pass follows the first at once; the third needs a wake during the idle pause.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toHaveLength(2);
    wakeAll();
    await loop;
    expect(passes).toHaveLength(3);
    expect(listeners.size).toBe(0);
  });

  it("with fullPass, looks again at once after a full pass, and waits for a wake after a partial one", async () => {
    const listeners = new Set<() => void>();
    const done = [5, 5, 2, 0];
    const passes: number[] = [];
    const controller = new AbortController();
    const loop = runLoop(
      {
        name: "test",
        clock: systemClock,
        logger: silentLogger(),
        idleMs: 60_000,
        fullPass: 5,
        wake: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        step: async () => {
          passes.push(passes.length);
          if (passes.length === done.length) controller.abort();
          return done[passes.length - 1]!;
        },
      },
      controller.signal,
    );
    // Two full passes and the partial one run back to back; then it waits, though the pass found work.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toHaveLength(3);
    for (const wake of listeners) wake();
    await loop;
    expect(passes).toHaveLength(4);
  });
});
