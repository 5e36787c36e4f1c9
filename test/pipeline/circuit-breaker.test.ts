/** The circuit breaker on a manual clock: opening on the failure rate, one probe, closing and reopening. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { CircuitBreaker } from "../../src/pipeline/circuit-breaker.js";
import { captureLogs, WARN } from "../clay/log-capture.js";
import { ManualClock } from "../clay/manual-clock.js";

const breakerConfig = (overrides: Record<string, unknown> = {}) =>
  configSchema.parse({
    clay: {
      workspaces: [
        { name: "ws", tables: [{ name: "t", webhooks: [{ url: "https://x.test/h" }] }] },
      ],
    },
    breaker: { failureRate: 0.5, minRequests: 4, window: "10s", openFor: "30s", ...overrides },
  }).breaker;

function setup(overrides: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const { logger, lines } = captureLogs();
  const breaker = new CircuitBreaker({
    config: breakerConfig(overrides),
    clock,
    workspace: "ws",
    logger,
  });
  return { clock, breaker, lines };
}

describe("CircuitBreaker", () => {
  it("stays closed until minRequests sends are in the window", () => {
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) breaker.record(false);
    expect(breaker.state).toBe("closed");
    expect(breaker.allow()).toBe(true);
    expect(breaker.reopensAt).toBe(0);
    breaker.record(false);
    expect(breaker.state).toBe("open");
  });

  it("opens when the failure share reaches failureRate, not below it", () => {
    const { breaker } = setup({ minRequests: 4, failureRate: 0.5 });
    breaker.record(true);
    breaker.record(true);
    breaker.record(true);
    breaker.record(false);
    expect(breaker.state).toBe("closed"); // 1 of 4
    breaker.record(false);
    expect(breaker.state).toBe("closed"); // 2 of 5
    breaker.record(false);
    expect(breaker.state).toBe("open"); // 3 of 6
  });

  it("forgets outcomes older than the window", async () => {
    const { breaker, clock } = setup({ minRequests: 4, window: "10s" });
    for (let i = 0; i < 3; i++) breaker.record(false);
    await clock.advance(10_001);
    breaker.record(false);
    expect(breaker.state).toBe("closed");
  });

  it("refuses sends while open, then lets exactly one probe through", async () => {
    const { breaker, clock, lines } = setup();
    for (let i = 0; i < 4; i++) breaker.record(false);
    const openedAt = clock.now();
    expect(breaker.allow()).toBe(false);
    expect(breaker.reopensAt).toBe(openedAt + 30_000);
    expect(lines.filter((line) => line.level === WARN && /opened/.test(line.msg))).toHaveLength(1);

    await clock.advance(29_999);
    expect(breaker.allow()).toBe(false);
    await clock.advance(1);
    expect(breaker.state).toBe("half_open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    expect(breaker.allow()).toBe(false);
    expect(breaker.state).toBe("half_open");
  });

  it("closes when the probe succeeds", async () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 4; i++) breaker.record(false);
    await clock.advance(30_000);
    expect(breaker.allow()).toBe(true);
    breaker.record(true);
    expect(breaker.state).toBe("closed");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(true);
    // A fresh window: three failures are below minRequests again.
    for (let i = 0; i < 3; i++) breaker.record(false);
    expect(breaker.state).toBe("closed");
  });

  it("opens again for openFor when the probe fails", async () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 4; i++) breaker.record(false);
    await clock.advance(30_000);
    expect(breaker.allow()).toBe(true);
    breaker.record(false);
    expect(breaker.state).toBe("open");
    expect(breaker.reopensAt).toBe(clock.now() + 30_000);
    expect(breaker.allow()).toBe(false);
  });

  it("lets another probe go when one never reports back within openFor", async () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 4; i++) breaker.record(false);
    await clock.advance(30_000);
    expect(breaker.allow()).toBe(true);
    expect(breaker.reopensAt).toBe(clock.now() + 30_000);
    await clock.advance(29_999);
    expect(breaker.allow()).toBe(false);
    await clock.advance(1);
    expect(breaker.allow()).toBe(true);
  });

  it("ignores outcomes of sends that started before it opened", async () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 4; i++) breaker.record(false);
    breaker.record(true);
    expect(breaker.state).toBe("open");
    await clock.advance(30_000);
    expect(breaker.allow()).toBe(true);
  });
});
