/**
 * How the Kafka adapter keeps out-of-order acks of one partition: the commit
 * stops at the first unsettled offset, the settled ones above it ride in the
 * commit metadata, and the next owner skips exactly those. Pure bookkeeping:
 * runs without the Kafka client.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAcked, PartitionProgress } from "../../src/bus/kafka/partition-progress.js";

describe("PartitionProgress", () => {
  it("commits up to the first unsettled offset and names the settled ones above it", () => {
    const progress = new PartitionProgress(undefined, undefined);
    expect(progress.commit()).toBeUndefined();
    for (const offset of [10, 11, 12, 13, 14]) expect(progress.receive(offset)).toBe(true);
    for (const offset of [10, 12, 13]) progress.settle(offset);
    const commit = progress.commit()!;
    expect(commit).toEqual({ offset: 11, metadata: "cp1:1-2" });
    expect(decodeAcked(commit.offset, commit.metadata)).toEqual([12, 13]);
    progress.committed(commit);
    expect(progress.commit()).toBeUndefined();
    progress.settle(11);
    progress.settle(14);
    expect(progress.commit()).toEqual({ offset: 15, metadata: "" });
  });

  it("a new owner skips what the last commit names as settled, and nothing else", () => {
    const next = new PartitionProgress(11, "cp1:1-2");
    expect([11, 12, 13, 14].map((offset) => next.receive(offset))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    next.settle(11);
    expect(next.commit()).toEqual({ offset: 14, metadata: "" });
  });

  it("counts what a new owner would handle again: from the broker's commit up to an offset", () => {
    const fresh = new PartitionProgress(undefined, undefined);
    fresh.receive(50);
    expect(fresh.uncommittedUpTo(53)).toBe(3);
    const resumed = new PartitionProgress(20, "");
    resumed.receive(20);
    resumed.settle(20);
    expect(resumed.uncommittedUpTo(24)).toBe(4);
    // Only what the broker confirmed counts, not what was sent.
    resumed.commit();
    expect(resumed.uncommittedUpTo(24)).toBe(4);
    resumed.committed({ offset: 21, metadata: "" });
    expect(resumed.uncommittedUpTo(24)).toBe(3);
  });

  it("ignores metadata that is not its own", () => {
    expect(decodeAcked(5, "written by another tool")).toEqual([]);
    expect(decodeAcked(5, "cp1:3-1")).toEqual([]);
    expect(decodeAcked(5, null)).toEqual([]);
  });

  it("whatever the order of acks, a commit never passes an unsettled offset", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...Array(30).keys()], { minLength: 0, maxLength: 30 }),
        (settledOrder) => {
          const progress = new PartitionProgress(100, "");
          for (let offset = 100; offset < 130; offset++) progress.receive(offset);
          for (const index of settledOrder) progress.settle(100 + index);
          const commit = progress.commit() ?? { offset: 100, metadata: "" };
          const settled = new Set(settledOrder.map((index) => 100 + index));
          for (let offset = 100; offset < commit.offset; offset++) {
            expect(settled.has(offset)).toBe(true);
          }
          const skipped = new Set(decodeAcked(commit.offset, commit.metadata));
          for (let offset = commit.offset; offset < 130; offset++) {
            expect(skipped.has(offset)).toBe(settled.has(offset));
          }
        },
      ),
      { seed: 10, numRuns: 200 },
    );
  });
});
