/**
 * HTTP load for the queue benchmarks: autocannon in a child process (this
 * file, forked), so the client does not share an event loop with the server
 * it measures. Each request POSTs one lead, a different person every time.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const CHILD_ROLE = "http-load-child";

export interface HttpLoadPlan {
  url: string;
  /** Sent with every request, e.g. the Bearer API key. */
  headers: Record<string, string>;
  /** Keeps this run's leads apart from every other's. */
  tag: string;
  connections: number;
  seconds: number;
}

export interface HttpLoadResult {
  /** Answers with this status per second. */
  acceptedPerSecond: number;
  accepted: number;
  other: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

async function load(plan: HttpLoadPlan): Promise<HttpLoadResult> {
  let sent = 0;
  let accepted = 0;
  let other = 0;
  const start = performance.now();
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.seconds,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json", ...plan.headers },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            email: `http-${plan.tag}-${sent++}@example.com`,
            first_name: "Ada",
            last_name: "Lovelace",
            company: "Acme Analytics",
          }),
        }),
        onResponse: (status) => {
          if (status === 202) accepted += 1;
          else other += 1;
        },
      },
    ],
  });
  const seconds = (performance.now() - start) / 1000;
  return {
    acceptedPerSecond: accepted / seconds,
    accepted,
    other,
    errors: result.errors,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** Runs the load in a child process and resolves with what it measured. */
export function runHttpLoad(plan: HttpLoadPlan): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_ROLE]);
    child.once("message", (result) => resolve(result as HttpLoadResult));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the HTTP load child exited with ${code}`)));
    child.send(plan);
  });
}

if (process.argv[2] === CHILD_ROLE) {
  process.once("message", async (plan) => {
    const result = await load(plan as HttpLoadPlan);
    process.send?.(result, () => process.exit(0));
  });
}
