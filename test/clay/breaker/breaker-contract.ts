/**
 * What every circuit breaker must do, on a manual clock: open on the failure
 * rate, refuse while open, let exactly one probe through, close or reopen on
 * its outcome. Run for the in-memory breaker and the Redis one.
 */
import { describe, expect, it } from "vitest";
import type { Breaker } from "../../../src/clay/breaker/circuit-breaker.js";
import { configSchema } from "../../../src/config/schema.js";
import type { Logger } from "../../../src/logging/create-logger.js";
import { captureLogs, WARN } from "../log-capture.js";
import { ManualClock } from "../manual-clock.js";

export type BreakerFactory = (options: {
  config: ReturnType<typeof breakerConfig>;
  clock: ManualClock;
  logger: Logger;
}) => Promise<Breaker>;

const breakerConfig = (overrides: Record<string, unknown> = {}) =>
  configSchema.parse({
    clay: {
      workspaces: [
        { name: "ws", tables: [{ name: "t", webhooks: [{ url: "https://x.test/h" }] }] },
      ],
    },
    breaker: { failureRate: 0.5, minRequests: 4, window: "10s", openFor: "30s", ...overrides },
  }).breaker;

export function breakerContract(name: string, create: BreakerFactory): void {
  async function setup(overrides: Record<string, unknown> = {}) {
    const clock = new ManualClock();
    const { logger, lines } = captureLogs();
    const breaker = await create({ config: breakerConfig(overrides), clock, logger });
    const fail = async (times: number) => {
      for (let i = 0; i < times; i++) await breaker.record(false);
    };
    return { clock, breaker, lines, fail };
  }
  const ALLOWED = { allowed: true };

  describe(`${name}: the circuit breaker contract`, () => {
    it("stays closed until minRequests sends are in the window", async () => {
      const { breaker, fail } = await setup();
      await fail(3);
      expect(await breaker.state()).toBe("closed");
      expect(await breaker.allow()).toEqual(ALLOWED);
      await fail(1);
      expect(await breaker.state()).toBe("open");
    });

    it("opens when the failure share reaches failureRate, not below it", async () => {
      const { breaker, fail } = await setup({ minRequests: 4, failureRate: 0.5 });
      for (let i = 0; i < 3; i++) await breaker.record(true);
      await fail(1);
      expect(await breaker.state()).toBe("closed"); // 1 of 4
      await fail(1);
      expect(await breaker.state()).toBe("closed"); // 2 of 5
      await fail(1);
      expect(await breaker.state()).toBe("open"); // 3 of 6
    });

    it("forgets outcomes older than the window", async () => {
      const { breaker, clock, fail } = await setup({ minRequests: 4, window: "10s" });
      await fail(3);
      await clock.advance(10_001);
      await fail(1);
      expect(await breaker.state()).toBe("closed");
    });

    it("refuses sends while open, then lets exactly one probe through", async () => {
      const { breaker, clock, lines, fail } = await setup();
      await fail(4);
      const openedAt = clock.now();
      expect(await breaker.allow()).toEqual({
        allowed: false,
        state: "open",
        retryAt: openedAt + 30_000,
      });
      expect(lines.filter((line) => line.level === WARN && /opened/.test(line.msg))).toHaveLength(
        1,
      );

      await clock.advance(29_999);
      expect((await breaker.allow()).allowed).toBe(false);
      await clock.advance(1);
      expect(await breaker.state()).toBe("half_open");
      expect(await breaker.allow()).toEqual(ALLOWED);
      expect(await breaker.allow()).toEqual({
        allowed: false,
        state: "half_open",
        retryAt: clock.now() + 30_000,
      });
      expect(await breaker.state()).toBe("half_open");
    });

    it("closes when the probe succeeds", async () => {
      const { breaker, clock, fail } = await setup();
      await fail(4);
      await clock.advance(30_000);
      expect(await breaker.allow()).toEqual(ALLOWED);
      await breaker.record(true);
      expect(await breaker.state()).toBe("closed");
      expect(await breaker.allow()).toEqual(ALLOWED);
      expect(await breaker.allow()).toEqual(ALLOWED);
      // A fresh window: three failures are below minRequests again.
      await fail(3);
      expect(await breaker.state()).toBe("closed");
    });

    it("opens again for openFor when the probe fails", async () => {
      const { breaker, clock, fail } = await setup();
      await fail(4);
      await clock.advance(30_000);
      expect(await breaker.allow()).toEqual(ALLOWED);
      await fail(1);
      expect(await breaker.state()).toBe("open");
      expect(await breaker.allow()).toEqual({
        allowed: false,
        state: "open",
        retryAt: clock.now() + 30_000,
      });
    });

    it("lets another probe go when one never reports back within openFor", async () => {
      const { breaker, clock, fail } = await setup();
      await fail(4);
      await clock.advance(30_000);
      expect(await breaker.allow()).toEqual(ALLOWED);
      await clock.advance(29_999);
      expect((await breaker.allow()).allowed).toBe(false);
      await clock.advance(1);
      expect(await breaker.allow()).toEqual(ALLOWED);
    });

    it("ignores outcomes of sends that started before it opened", async () => {
      const { breaker, clock, fail } = await setup();
      await fail(4);
      await breaker.record(true);
      expect(await breaker.state()).toBe("open");
      await clock.advance(30_000);
      expect(await breaker.allow()).toEqual(ALLOWED);
    });
  });
}
