/**
 * Commits a group's progress on one topic, explicitly and only for settled
 * messages (the consumer runs with auto-commit off), and reads each commit
 * back: the Confluent client's commitOffsets resolves once the commit is
 * queued, not when the broker took it, and a broker refuses commits while the
 * group rebalances. What the broker really holds bounds how much this member
 * may handle beyond it (`hasRoom`), so a refused commit costs at most that
 * many messages handled again by the next owner, never lost ones.
 *
 * Commits are coalesced: at most one in flight, and one more after it when
 * acks arrived meanwhile; a refused one is sent again by the next.
 */
import { coalesceRuns } from "../../core/coalesced-runs.js";
import type { KafkaConsumer } from "./kafka-client.js";
import { PartitionProgress } from "./partition-progress.js";

export class OffsetCommitter {
  private readonly partitions = new Map<number, PartitionProgress>();
  /** Commits what is settled and reads back what the broker holds; resolves once done. */
  readonly flush = coalesceRuns(() => this.commitOnce());

  constructor(
    private readonly consumer: KafkaConsumer,
    private readonly topic: string,
    /** Messages a partition may be handled beyond the broker's commit. */
    private readonly maxUncommitted: number,
  ) {}

  /** The partition's progress, read from the group's last commit when first needed. */
  async progress(partition: number): Promise<PartitionProgress> {
    const known = this.partitions.get(partition);
    if (known) return known;
    const [last] = await this.consumer.committed([{ topic: this.topic, partition }]);
    const offset = brokerOffset(last?.offset);
    const progress = new PartitionProgress(offset, last?.metadata);
    this.partitions.set(partition, progress);
    return progress;
  }

  /** Whether `progress` is still this member's (not revoked since). */
  owns(partition: number, progress: PartitionProgress): boolean {
    return this.partitions.get(partition) === progress;
  }

  /** Whether the message at `offset` may be handled now without passing the uncommitted bound. */
  hasRoom(progress: PartitionProgress, offset: number): boolean {
    return progress.uncommittedUpTo(offset) < this.maxUncommitted;
  }

  /** Partitions this member no longer owns (or owns afresh): their progress is read again. */
  forget(partitions: readonly number[]): void {
    for (const partition of partitions) this.partitions.delete(partition);
  }

  private async commitOnce(): Promise<void> {
    const commits = [...this.partitions].flatMap(([partition, progress]) => {
      const commit = progress.commit();
      return commit ? [{ partition, progress, commit }] : [];
    });
    if (commits.length === 0) return;
    try {
      await this.consumer.commitOffsets(
        commits.map(({ partition, commit }) => ({
          topic: this.topic,
          partition,
          offset: String(commit.offset),
          metadata: commit.metadata,
        })),
      );
      // One coordinator connection answers in order: this reads the commit's outcome.
      const held = await this.consumer.committed(
        commits.map(({ partition }) => ({ topic: this.topic, partition })),
      );
      for (const { partition, progress } of commits) {
        const entry = held.find((candidate) => candidate.partition === partition);
        const offset = brokerOffset(entry?.offset);
        if (offset !== undefined) progress.committed({ offset, metadata: entry?.metadata ?? "" });
      }
    } catch {
      // Rebalancing or unreachable: the next flush sends these again.
    }
  }
}

/** A committed offset as a number; undefined when the group has none (-1001, null). */
function brokerOffset(offset: string | null | undefined): number | undefined {
  if (offset == null) return undefined;
  const value = Number(offset);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}
