/**
 * settle(): what every adapter does with a handler's outcome, by delivery
 * number: ack, retry after the chosen or configured delay, dead-letter (at
 * once when asked, or when deliveries run out), release when stopping.
 */
import { expect, it } from "vitest";
import { resolveConsumeOptions } from "../../src/bus/bus.js";
import { settle } from "../../src/bus/settle.js";
import { ClaypipeError } from "../../src/core/errors.js";

const options = resolveConsumeOptions({
  topic: "t",
  group: "g",
  deadLetterTopic: "d",
  maxDeliver: 3,
  retryDelaysMs: [100, 500],
});

it("acks, retries and dead-letters as the verdict says, until deliveries run out", () => {
  expect(settle({ verdict: "ack" }, 3, options, false)).toEqual({ action: "ack" });
  expect(settle({ verdict: { retryInMs: 40 } }, 1, options, false)).toEqual({
    action: "retry",
    delayMs: 40,
  });
  expect(settle({ verdict: { retryInMs: 40 } }, 3, options, false)).toEqual({
    action: "deadLetter",
    reason: "max_deliveries",
  });
  expect(settle({ verdict: { deadLetter: "budget" } }, 1, options, false)).toEqual({
    action: "deadLetter",
    reason: "budget",
  });
});

it("retries a thrown handler after retryDelaysMs (the last repeats), then dead-letters naming the error, not its message", () => {
  const thrown = new ClaypipeError("clay_unavailable", "ada@example.com: down");
  expect(settle({ thrown }, 1, options, false)).toEqual({ action: "retry", delayMs: 100 });
  expect(settle({ thrown }, 2, options, false)).toEqual({ action: "retry", delayMs: 500 });
  const many = resolveConsumeOptions({ ...options, maxDeliver: 10 });
  expect(settle({ thrown }, 7, many, false)).toEqual({ action: "retry", delayMs: 500 });
  expect(settle({ thrown }, 3, options, false)).toEqual({
    action: "deadLetter",
    reason: "max_deliveries",
    error: "ClaypipeError clay_unavailable",
  });
});

it("releases a message whose handler failed because the member is stopping", () => {
  expect(settle({ thrown: new Error("aborted") }, 3, options, true)).toEqual({ action: "release" });
});

it("checks the options once", () => {
  const base = { topic: "t", group: "g", deadLetterTopic: "d" };
  expect(() => resolveConsumeOptions({ ...base, maxDeliver: 0 })).toThrow(RangeError);
  expect(() => resolveConsumeOptions({ ...base, concurrency: 1.5 })).toThrow(RangeError);
  expect(() => resolveConsumeOptions({ ...base, retryDelaysMs: [] })).toThrow(RangeError);
  expect(resolveConsumeOptions(base)).toMatchObject({ maxDeliver: 5, concurrency: 1 });
});
