/**
 * Runs `run` at most once at a time. A call while a run is going resolves
 * after one more run that starts when it ends, so every caller's request is
 * served by a run that began after it asked; calls meanwhile share that run.
 */
export function coalesceRuns(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}
