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

it("runs one key in order and different keys at once, up to the limit", async () => {
  const lanes = new KeyLanes(2);
  const log: string[] = [];
  const a1 = gate();
  const b1 = gate();
  await lanes.add("a", async () => {
    log.push("a1 start");
    await a1.opened;
    log.push("a1 end");
  });
  await lanes.add("b", async () => {
    log.push("b1 start");
    await b1.opened;
  });
  // Both slots taken: adding a third waits for one to free.
  let thirdAdded = false;
  const third = lanes
    .add("a", async () => {
      log.push("a2 start");
    })
    .then(() => {
      thirdAdded = true;
    });
  await new Promise((resolve) => setImmediate(resolve));
  expect(thirdAdded).toBe(false);
  expect(log).toEqual(["a1 start", "b1 start"]);
  a1.open();
  await third;
  b1.open();
  await lanes.idle();
  expect(log).toEqual(["a1 start", "b1 start", "a1 end", "a2 start"]);
});

it("keeps a key's order when its later work is added while the earlier runs", async () => {
  const lanes = new KeyLanes(4);
  const log: number[] = [];
  const first = gate();
  await lanes.add("k", async () => {
    await first.opened;
    log.push(1);
  });
  await lanes.add("k", async () => {
    log.push(2);
  });
  await lanes.add("", async () => {
    log.push(0);
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(log).toEqual([0]);
  first.open();
  await lanes.idle();
  expect(log).toEqual([0, 1, 2]);
});
