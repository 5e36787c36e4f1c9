/** Waits `ms`, or less when `signal` aborts first; never rejects (a stopping consumer just goes on to stop). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  // An aborted signal fires no more events: waiting for one would hold a stop for `ms`.
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
