/**
 * What `npm run bench` runs, in order, each in its quick mode (BENCH_QUICK=1)
 * plus the settings here. limitSeconds stops a benchmark that hangs; the whole
 * list is meant to take about 6 minutes on a 2-core machine.
 */
export interface BenchEntry {
  name: string;
  file: string;
  args?: string[];
  env?: Record<string, string>;
  limitSeconds: number;
}

export const BENCHMARKS: BenchEntry[] = [
  { name: "startup", file: "bench/startup.ts", limitSeconds: 90 },
  { name: "import", file: "bench/csv-import.ts", limitSeconds: 180 },
  { name: "statements", file: "bench/queue-statements.ts", limitSeconds: 180 },
  { name: "queue", file: "bench/queue-end-to-end.ts", limitSeconds: 180 },
  {
    name: "intake",
    file: "bench/queue-throughput.ts",
    env: { BENCH_PARTS: "intake" },
    limitSeconds: 120,
  },
  { name: "callbacks", file: "bench/intake-receiver.ts", limitSeconds: 120 },
  { name: "latency", file: "bench/latency.ts", limitSeconds: 180 },
  { name: "sender", file: "bench/sender-rate.ts", limitSeconds: 60 },
  { name: "bus", file: "bench/bus-throughput.ts", limitSeconds: 90 },
  { name: "cost", file: "bench/cost.ts", limitSeconds: 90 },
  { name: "dashboard", file: "bench/dashboard-views.ts", limitSeconds: 150 },
];
