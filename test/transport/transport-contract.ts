/**
 * What every Transport promises, against the real emulator and a SQLite store
 * (test/pipeline/send-side-fixture.ts): run() carries due leads to Clay until
 * its signal aborts and resolves having handed back what it had not started;
 * notify() gets
 * leads submitted while it runs carried; depth() names only configured
 * workspaces and shows nothing waiting once all are sent; close() after run.
 * Waits are "until it happened" with a generous limit, never timed assertions.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Transport } from "../../src/transport/transport.js";
import {
  closeSendSides,
  person,
  type SendSide,
  type SendSideOptions,
  startSendSide,
  TABLE_ID,
} from "../pipeline/send-side-fixture.js";

export interface TransportFactory {
  /** Config the transport needs on top of the standard send side (e.g. `queue`). */
  sideOptions?: () => SendSideOptions;
  create(side: SendSide): Promise<Transport>;
  /** Ends what create() left outside the transport (Redis keys), after close(). */
  cleanUp?(): Promise<void>;
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function transportContract(name: string, factory: TransportFactory): void {
  describe(`${name}: the transport contract`, () => {
    const running: Array<{ transport: Transport; stop: AbortController; run: Promise<void> }> = [];

    afterEach(async () => {
      for (const { transport, stop, run } of running.splice(0)) {
        stop.abort();
        await run.catch(() => undefined);
        await transport.close();
      }
      await factory.cleanUp?.();
      await closeSendSides();
    });

    async function start() {
      const side = await startSendSide(factory.sideOptions?.());
      const transport = await factory.create(side);
      const stop = new AbortController();
      const run = transport.run(side.handler, stop.signal);
      running.push({ transport, stop, run });
      const submit = async (count: number, from = 0) => {
        const leads = Array.from({ length: count }, (_, index) => person(from + index));
        const { accepted } = await side.intake.submit(leads);
        return accepted.map((entry) => entry.id);
      };
      const inClay = () => side.emulator.control.rows(TABLE_ID).length;
      const states = (ids: string[]) =>
        Promise.all(ids.map(async (id) => (await side.store.leads.get(id))!.state));
      return { side, transport, stop, run, submit, inClay, states };
    }

    it("carries due leads to Clay, once each, and run() resolves when its signal aborts", async () => {
      const { transport, stop, run, submit, inClay, states, side } = await start();
      const ids = await submit(3);
      transport.notify();
      await until("3 rows in Clay", () => inClay() === 3);
      await until("3 leads awaiting their callback", async () =>
        (await states(ids)).every((state) => state === "awaiting_callback"),
      );
      const sent = side.emulator.control.rows(TABLE_ID).map((row) => row.fields.claypipe_id);
      expect(sent.sort()).toEqual([...ids].sort());
      stop.abort();
      await expect(run).resolves.toBeUndefined();
    });

    it("carries leads submitted while it runs, after notify()", async () => {
      const { transport, submit, inClay, states } = await start();
      const first = await submit(1, 0);
      transport.notify();
      await until("the first row in Clay", () => inClay() === 1);
      const later = await submit(2, 1);
      transport.notify();
      await until("3 rows in Clay", () => inClay() === 3);
      await until("every lead awaiting its callback", async () =>
        (await states([...first, ...later])).every((state) => state === "awaiting_callback"),
      );
    });

    it("hands back what it had not started when run() resolves after an abort mid-work", async () => {
      const { transport, stop, run, submit, inClay, states, side } = await start();
      const ids = await submit(30);
      transport.notify();
      await until("a first row in Clay", () => inClay() >= 1);
      stop.abort();
      await run;
      const after = await states(ids);
      // Sent and waiting for Clay, or back in the outbox; only a send cut off mid-way
      // stays `sending` (whether Clay got it is for the recovery policy at the next start).
      for (const state of after) {
        expect(["awaiting_callback", "queued", "retrying", "sending"]).toContain(state);
      }
      const cutOff = after.filter((state) => state === "sending").length;
      expect(cutOff).toBeLessThanOrEqual(side.config.sender.concurrency);
      const inClayIds = new Set(
        side.emulator.control.rows(TABLE_ID).map((row) => String(row.fields.claypipe_id)),
      );
      ids.forEach((id, index) => {
        if (after[index] === "awaiting_callback") expect(inClayIds.has(id)).toBe(true);
      });
    });

    it("reports depth only for configured workspaces, with nothing waiting once all are sent", async () => {
      const { transport, submit, inClay, side } = await start();
      await submit(2);
      transport.notify();
      await until("2 rows in Clay", () => inClay() === 2);
      const workspaces = side.config.clay.workspaces.map((workspace) => workspace.name);
      await until("no job left waiting", async () =>
        (await transport.depth()).every((queue) => queue.waiting === 0 && queue.active === 0),
      );
      for (const queue of await transport.depth()) {
        expect(workspaces).toContain(queue.workspace);
        expect(queue.delayed).toBeGreaterThanOrEqual(0);
      }
    });

    it("closes after run() has resolved", async () => {
      const { transport, stop, run } = await start();
      stop.abort();
      await run;
      running.splice(0);
      await expect(transport.close()).resolves.toBeUndefined();
    });
  });
}
