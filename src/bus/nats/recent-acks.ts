/**
 * The acks a member sent lately, to send again after a reconnect. An ack is a
 * plain NATS publish with no answer: one sent while nats-server was stopping,
 * or buffered across its restart, may never be counted. The message then stays
 * pending until the ack wait ends and comes again, and meanwhile counts in the
 * group's lag (the event tier's feeder waits on that). Acking it again is
 * harmless: the server ignores an ack for a message no longer pending.
 */
export class RecentAcks {
  /** Reply subject → when it was acked, oldest first. */
  private readonly acks = new Map<string, number>();

  constructor(
    /** An ack older than this no longer matters: the server has sent the message again. */
    private readonly keepMs: number,
    /** Bound on the acks kept, so a fast group holds little memory. */
    private readonly maxAcks: number,
  ) {}

  record(reply: string, now: number): void {
    this.acks.delete(reply);
    this.acks.set(reply, now);
    for (const [oldest, at] of this.acks) {
      if (this.acks.size <= this.maxAcks && at >= now - this.keepMs) break;
      this.acks.delete(oldest);
    }
  }

  /** The reply subjects acked within keepMs before `now`. */
  since(now: number): string[] {
    return [...this.acks].filter(([, at]) => at >= now - this.keepMs).map(([reply]) => reply);
  }
}
