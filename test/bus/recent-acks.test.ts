/**
 * The acks a NATS member keeps to send again after a reconnect: those of the
 * last ack wait, at most a bounded number, each once.
 */
import { expect, it } from "vitest";
import { RecentAcks } from "../../src/bus/nats/recent-acks.js";

it("keeps the acks of the last keepMs, each once", () => {
  const acks = new RecentAcks(1000, 100);
  acks.record("a", 0);
  acks.record("b", 500);
  acks.record("a", 600);
  expect(acks.since(600)).toEqual(["b", "a"]);
  expect(acks.since(1550)).toEqual(["a"]);
  acks.record("c", 1700);
  expect(acks.since(1700)).toEqual(["c"]);
});

it("keeps at most maxAcks, the newest", () => {
  const acks = new RecentAcks(60_000, 3);
  for (const [index, reply] of ["a", "b", "c", "d", "e"].entries()) acks.record(reply, index);
  expect(acks.since(5)).toEqual(["c", "d", "e"]);
});
