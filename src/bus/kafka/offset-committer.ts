/**
 * Commits a group's progress on one topic, explicitly and only for settled
 * messages (the consumer runs with auto-commit off). Commits are coalesced: at
 * most one in flight, and one more after it when acks arrived meanwhile.
 * A failed commit is not retried on its own: the next one carries the same
 * progress, and what no commit covered is delivered again (never lost).
 */
import type { KafkaConsumer } from "./kafka-client.js";
import { PartitionProgress } from "./partition-progress.js";

const NOT_COMMITTED = -1001;

export class OffsetCommitter {
  private readonly partitions = new Map<number, PartitionProgress>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly consumer: KafkaConsumer,
    private readonly topic: string,
  ) {}

  /** The partition's progress, read from the group's last commit when first needed. */
  async progress(partition: number): Promise<PartitionProgress> {
    const known = this.partitions.get(partition);
    if (known) return known;
    const [last] = await this.consumer.committed([{ topic: this.topic, partition }]);
    const offset = last?.offset == null ? NOT_COMMITTED : Number(last.offset);
    const progress = new PartitionProgress(
      offset < 0 ? undefined : offset,
      offset < 0 ? undefined : last?.metadata,
    );
    this.partitions.set(partition, progress);
    return progress;
  }

  /** Partitions this member no longer owns (or owns afresh): their progress is read again. */
  forget(partitions: readonly number[]): void {
    for (const partition of partitions) this.partitions.delete(partition);
  }

  /** Commits what is settled; resolves once that (and any commit in flight) is done. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.commitOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
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
    } catch {
      return;
    }
    for (const { progress, commit } of commits) progress.committed(commit);
  }
}
