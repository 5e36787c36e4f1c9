/**
 * Bookkeeping for the emulator's background work (enrichments, callbacks): it knows
 * when nothing is left (`idle`) and can cancel everything at once (`cancelAll`) on
 * reset and close, so no timer or request outlives the emulator.
 */

export class PendingWork {
  private readonly sleepers = new Map<NodeJS.Timeout, (fired: boolean) => void>();
  private readonly requests = new Set<AbortController>();
  private readonly idleWaiters: Array<() => void> = [];
  private running = 0;
  private currentEpoch = 0;

  constructor(private readonly onTaskError: (error: unknown) => void) {}

  /** Increases on every `cancelAll`; a task that sees it change must stop and record nothing. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Runs `task` in the background; `idle()` waits for it. */
  run(task: () => Promise<void>): void {
    this.running++;
    task()
      .catch(this.onTaskError)
      .finally(() => {
        this.running--;
        if (this.running === 0) this.wakeIdleWaiters();
      });
  }

  /**
   * Resolves true after `ms` real milliseconds, or false as soon as the work is cancelled.
   * A map of timers rather than an AbortSignal per sleep: tens of thousands of rows can
   * wait at once, and each abort listener would be a linear scan to remove.
   */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.sleepers.delete(timer);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.sleepers.set(timer, resolve);
    });
  }

  /** A controller that `cancelAll` aborts; hand it back with `release` when the request ends. */
  abortController(): AbortController {
    const controller = new AbortController();
    this.requests.add(controller);
    return controller;
  }

  release(controller: AbortController): void {
    this.requests.delete(controller);
  }

  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ends every sleep (they resolve false) and aborts every request in flight. */
  cancelAll(): void {
    this.currentEpoch++;
    for (const [timer, resolve] of this.sleepers) {
      clearTimeout(timer);
      resolve(false);
    }
    this.sleepers.clear();
    for (const controller of this.requests) controller.abort(new Error("emulator work cancelled"));
    this.requests.clear();
  }

  private wakeIdleWaiters(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
