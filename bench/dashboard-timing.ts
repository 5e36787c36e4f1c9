/** Timing one dashboard view: warm-up, then N requests one after another, as percentiles. */

export interface Timing {
  p50: number;
  p95: number;
  max: number;
}

/**
 * Times `run` `rounds` times after `warmup` untimed calls, starting one every
 * `everyMs` (or as soon as the last one answered): spread over seconds, the
 * requests meet the server's background work (the live overview's status read
 * every 2 s) as often as a person's clicks would. Milliseconds.
 */
export async function timeIt(
  run: () => Promise<void>,
  rounds: number,
  warmup: number,
  everyMs = 0,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await run();
  const took: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    took.push(performance.now() - started);
    const left = everyMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
  took.sort((a, b) => a - b);
  const at = (share: number) =>
    took[Math.min(took.length - 1, Math.ceil(share * took.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), max: took.at(-1)! };
}

/** A GET with the session cookie that fails on anything but 200 and reads the whole body. */
export function viewGetter(baseUrl: string, cookie: string) {
  return (path: string) => async () => {
    const answer = await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: "manual" });
    const body = await answer.text();
    if (answer.status !== 200) {
      throw new Error(`GET ${path} answered ${answer.status}: ${body.slice(0, 200)}`);
    }
  };
}

/** Logs in through the form, as a browser does; returns the session cookie. */
export async function logIn(baseUrl: string, key: string): Promise<string> {
  const answer = await fetch(`${baseUrl}/ui/login`, {
    method: "POST",
    body: new URLSearchParams({ key }),
    redirect: "manual",
  });
  if (answer.status !== 303) throw new Error(`POST /ui/login answered ${answer.status}`);
  return (answer.headers.get("set-cookie") ?? "").split(";")[0]!;
}

/**
 * Keeps the live overview's stream open, as a person watching it does, so the
 * server reads status() every 2 s while the views are timed. Returns a stop.
 */
export async function watchOverview(baseUrl: string, cookie: string): Promise<() => void> {
  const controller = new AbortController();
  const answer = await fetch(`${baseUrl}/ui/stream`, {
    headers: { cookie },
    signal: controller.signal,
  });
  const reader = answer.body!.getReader();
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // Aborted by the stop below.
    }
  })();
  return () => controller.abort();
}
