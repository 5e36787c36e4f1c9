import { describe, expect, it } from "vitest";
import { resolveTally } from "../../../src/sinks/campaign/upload-tally.js";
import type { SinkResult } from "../../../src/sinks/sink.js";

const OK: SinkResult = { ok: true };
const BLOCKED: SinkResult = { ok: false, retryable: false, reason: "blocked" };
const INVALID: SinkResult = { ok: false, retryable: false, reason: "invalid" };
const EMAILS = ["a@x.com", "b@x.com", "c@x.com"];

const resolve = (
  named: Array<[string, SinkResult]>,
  counted: Array<[number, SinkResult]>,
  emails = EMAILS,
) =>
  resolveTally(emails, {
    named: new Map(named),
    counted: counted.map(([count, result]) => ({ count, result })),
  });

describe("resolveTally", () => {
  it("delivers every lead when nothing failed, whatever the answer named", () => {
    const { results, unresolved } = resolve([["a@x.com", OK]], [[0, BLOCKED]]);
    expect(unresolved).toEqual([]);
    expect([...results.values()]).toEqual([OK, OK, OK]);
  });

  it("keeps the named leads' results and gives the rest the one failure counted for all of them", () => {
    const { results, unresolved } = resolve([["a@x.com", INVALID]], [[2, BLOCKED]]);
    expect(unresolved).toEqual([]);
    expect(results.get("a@x.com")).toBe(INVALID);
    expect(results.get("b@x.com")).toBe(BLOCKED);
    expect(results.get("c@x.com")).toBe(BLOCKED);
  });

  it("leaves the unnamed leads open when the counts do not say which lead failed how", () => {
    expect(resolve([["a@x.com", OK]], [[1, BLOCKED]]).unresolved).toEqual(["b@x.com", "c@x.com"]);
    expect(
      resolve(
        [],
        [
          [1, BLOCKED],
          [2, INVALID],
        ],
      ).unresolved,
    ).toEqual(EMAILS);
  });

  it("settles a single lead with the first failure counted", () => {
    const { results, unresolved } = resolve(
      [],
      [
        [1, BLOCKED],
        [1, INVALID],
      ],
      ["a@x.com"],
    );
    expect(unresolved).toEqual([]);
    expect(results.get("a@x.com")).toBe(BLOCKED);
  });
});
