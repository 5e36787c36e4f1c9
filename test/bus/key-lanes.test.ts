/**
 * KeyLanes: work for one key runs one at a time in the order added; different
 * keys run at once up to the limit; an empty key has no order.
 */
import { expect, it } from "vitest";
import { KeyLanes } from "../../src/bus/key-lanes.js";

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it("runs one key in order and different keys at once, up to the limit", async () => {
  const lanes = new KeyLanes(2);
  const log: string[] = [];
  const a1 = gate();
  const b1 = gate();
  lanes.run("a", async () => {
    log.push("a1 start");
    await a1.opened;
    log.push("a1 end");
  });
  lanes.run("b", async () => {
    log.push("b1 start");
    await b1.opened;
    log.push("b1 end");
  });
  lanes.run("c", async () => {
    log.push("c1 start");
  });
  lanes.run("a", async () => {
    log.push("a2 start");
  });
  await settle();
  // Both slots taken: c waits for a slot, a2 for a1.
  expect(log).toEqual(["a1 start", "b1 start"]);
  b1.open();
  await settle();
  expect(log).toEqual(["a1 start", "b1 start", "b1 end", "c1 start"]);
  a1.open();
  await lanes.idle();
  expect(log).toEqual(["a1 start", "b1 start", "b1 end", "c1 start", "a1 end", "a2 start"]);
});

it("gives work with no key no order, and idle() waits for everything", async () => {
  const lanes = new KeyLanes(4);
  const log: number[] = [];
  const first = gate();
  lanes.run("k", async () => {
    await first.opened;
    log.push(1);
  });
  lanes.run("k", async () => {
    log.push(2);
  });
  lanes.run("", async () => {
    log.push(0);
  });
  let idle = false;
  const waiting = lanes.idle().then(() => {
    idle = true;
  });
  await settle();
  expect(log).toEqual([0]);
  expect(idle).toBe(false);
  first.open();
  await waiting;
  expect(log).toEqual([0, 1, 2]);
});

it("survives work that throws", async () => {
  const lanes = new KeyLanes(1);
  const log: string[] = [];
  lanes.run("k", async () => {
    throw new Error("boom");
  });
  lanes.run("k", async () => {
    log.push("after");
  });
  await lanes.idle();
  expect(log).toEqual(["after"]);
});
