/**
 * Where a group stands in one partition when messages are acked out of order
 * (handlers for different keys run at once). Kafka keeps one committed offset
 * per partition, so the commit is the first offset not acked yet, and the
 * offsets acked above it travel in the commit's metadata string (as Confluent's
 * Parallel Consumer does): the next owner of the partition skips them instead
 * of handling them again, and lag does not count them.
 *
 * Metadata format: `cp1:` then comma-separated ranges relative to the committed
 * offset (`2-5,7` = offsets commit+2…commit+5 and commit+7 are acked).
 */

const PREFIX = "cp1:";
/** Kafka's default offset.metadata.max.bytes is 4096; past this the acks above are not recorded. */
const MAX_METADATA_LENGTH = 3500;

export interface Commit {
  offset: number;
  metadata: string;
}

export class PartitionProgress {
  /** Handed to a handler, not settled yet. */
  private readonly pending = new Set<number>();
  /** Settled (acked or dead-lettered) at or above the commit offset. */
  private readonly settled = new Set<number>();
  /** The offset to commit when nothing is pending: after the last message seen. */
  private next: number | undefined;
  /** What the broker holds, as last read back from it. */
  private committedAt: Commit | undefined;
  /** Where this owner started: the broker's commit, or the first message when there was none. */
  private start: number | undefined;

  /** From the group's last commit (offset `undefined` when it never committed here). */
  constructor(committed: number | undefined, metadata: string | null | undefined) {
    if (committed === undefined) return;
    this.next = committed;
    this.start = committed;
    for (const offset of decodeAcked(committed, metadata)) this.settled.add(offset);
    this.committedAt = { offset: committed, metadata: metadata ?? "" };
  }

  /**
   * Messages from the broker's commit up to `offset`: what a new owner would
   * handle again if this one lost the partition now.
   */
  uncommittedUpTo(offset: number): number {
    return offset - (this.committedAt?.offset ?? this.start ?? offset);
  }

  /** A message arrived: false when it was settled before (skip it), else it is now pending. */
  receive(offset: number): boolean {
    this.start ??= offset;
    if (this.next === undefined || offset >= this.next) this.next = offset + 1;
    if (this.settled.has(offset)) return false;
    this.pending.add(offset);
    return true;
  }

  settle(offset: number): void {
    if (this.pending.delete(offset)) this.settled.add(offset);
  }

  /** What to commit now, or undefined when the broker holds it already. */
  commit(): Commit | undefined {
    if (this.next === undefined) return undefined;
    let offset = this.next;
    for (const pending of this.pending) offset = Math.min(offset, pending);
    for (const settled of this.settled) if (settled < offset) this.settled.delete(settled);
    const metadata = encodeAcked(offset, this.settled);
    if (this.committedAt?.offset === offset && this.committedAt.metadata === metadata) {
      return undefined;
    }
    return { offset, metadata };
  }

  /** What the broker holds, read back after a commit (it may have refused the commit). */
  committed(commit: Commit): void {
    this.committedAt = commit;
  }
}

function encodeAcked(base: number, acked: ReadonlySet<number>): string {
  const sorted = [...acked].filter((offset) => offset >= base).sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    const start = sorted[index]!;
    let end = start;
    while (sorted[index + 1] === end + 1) end = sorted[++index]!;
    index++;
    ranges.push(start === end ? `${start - base}` : `${start - base}-${end - base}`);
  }
  if (ranges.length === 0) return "";
  const metadata = PREFIX + ranges.join(",");
  // Too long for the broker: commit without it (those messages may be handled again, never lost).
  return metadata.length > MAX_METADATA_LENGTH ? "" : metadata;
}

/** The acked offsets a commit's metadata names; none when it is not ours or malformed. */
export function decodeAcked(base: number, metadata: string | null | undefined): number[] {
  if (!metadata?.startsWith(PREFIX)) return [];
  const offsets: number[] = [];
  for (const range of metadata.slice(PREFIX.length).split(",")) {
    const found = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!found) return [];
    const start = Number(found[1]);
    const end = found[2] === undefined ? start : Number(found[2]);
    if (end < start || end - start > 1_000_000) return [];
    for (let offset = start; offset <= end; offset++) offsets.push(base + offset);
  }
  return offsets;
}
