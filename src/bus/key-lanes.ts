/**
 * Runs work for many keys at once, up to a limit, while work for one key runs
 * one at a time in the order it was added: how an adapter without partitions
 * (NATS) keeps each key's order under `concurrency`.
 */
export class KeyLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private running = 0;
  private unfinished = 0;

  constructor(private readonly limit: number) {}

  /** Runs `work` after the key's earlier work, once a slot is free. An empty key has no order. */
  run(key: string, work: () => Promise<void>): void {
    const lane = key === "" ? undefined : key;
    const before = (lane === undefined ? undefined : this.tails.get(lane)) ?? Promise.resolve();
    this.unfinished++;
    const tail: Promise<void> = before
      .then(() => this.takeSlot())
      .then(work)
      .catch(() => undefined)
      .finally(() => {
        this.giveSlot();
        if (lane !== undefined && this.tails.get(lane) === tail) this.tails.delete(lane);
        if (--this.unfinished === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    if (lane !== undefined) this.tails.set(lane, tail);
  }

  /** Resolves once every work added so far has finished. */
  idle(): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private takeSlot(): Promise<void> | undefined {
    if (this.running < this.limit) {
      this.running++;
      return undefined;
    }
    // giveSlot hands its slot straight to the first waiter.
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private giveSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.running--;
  }
}
