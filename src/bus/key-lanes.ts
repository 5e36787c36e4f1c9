/**
 * Runs work for many keys at once, up to a limit, while work for one key runs
 * one at a time in the order it was added: how an adapter without partitions
 * (NATS) keeps each key's order under `concurrency`.
 */
export class KeyLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(private readonly limit: number) {}

  /**
   * Resolves once a slot is free (the caller should not add more until then);
   * `work` then runs after the key's earlier work. An empty key has no order.
   */
  async add(key: string, work: () => Promise<void>): Promise<void> {
    while (this.running >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    const lane = key === "" ? undefined : key;
    const before = lane === undefined ? undefined : this.tails.get(lane);
    const tail = (before ?? Promise.resolve())
      .then(work)
      .catch(() => undefined)
      .finally(() => {
        this.running--;
        // Every waiter checks again: adders for a slot, idle() for none running.
        for (const wake of this.waiting.splice(0)) wake();
        if (lane !== undefined && this.tails.get(lane) === tail) this.tails.delete(lane);
      });
    if (lane !== undefined) this.tails.set(lane, tail);
  }

  /** Resolves once every work added so far has finished. */
  async idle(): Promise<void> {
    while (this.running > 0) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}
