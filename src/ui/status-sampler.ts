/**
 * The dashboard's memory of the pipeline over time: it reads `status()` every
 * few seconds (often while a browser watches the live overview, seldom
 * otherwise) and keeps the last hour, from which the views draw charts and
 * compute rates — credits burnt per hour, rows per hour — to tell when a cap or
 * a table will be full. Kept in this process only: a restart starts a new hour.
 * On a big store a read is not free (counting a million leads by state takes a
 * few hundred ms on PostgreSQL), so the interval stretches to ten times the
 * last read: the dashboard never keeps the database busy more than a tenth of
 * the time.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { PipelineStatus } from "../pipeline/pipeline-api.js";

export interface StatusSample {
  at: number;
  status: PipelineStatus;
}

export interface StatusSampler {
  /** The newest sample, reading one first when there is none yet. */
  latest(): Promise<StatusSample>;
  /** Every sample kept, oldest first. */
  samples(): readonly StatusSample[];
  /** Calls `listener` with each new sample until the returned function is called. */
  subscribe(listener: (sample: StatusSample) => void): () => void;
  stop(): void;
}

export interface SamplerOptions {
  readStatus: () => Promise<PipelineStatus>;
  clock: Clock;
  logger: Logger;
  /** How often while someone watches. @defaultValue 2000 */
  watchedEveryMs?: number;
  /** How often otherwise, to keep rates known. @defaultValue 15000 */
  idleEveryMs?: number;
  /** How far back samples are kept. @defaultValue one hour */
  keepMs?: number;
}

/** Reads take at most a tenth of the time between them. */
const READ_SHARE_INVERSE = 10;

export function createStatusSampler(options: SamplerOptions): StatusSampler {
  const { readStatus, clock, logger } = options;
  const watchedEveryMs = options.watchedEveryMs ?? 2000;
  const idleEveryMs = options.idleEveryMs ?? 15_000;
  const keepMs = options.keepMs ?? 60 * 60 * 1000;
  const kept: StatusSample[] = [];
  const listeners = new Set<(sample: StatusSample) => void>();
  let reading: Promise<StatusSample> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastReadMs = 0;

  const read = (): Promise<StatusSample> => {
    const started = performance.now();
    reading ??= readStatus()
      .then((status) => {
        lastReadMs = performance.now() - started;
        const sample = { at: clock.now(), status };
        kept.push(sample);
        while (kept.length > 0 && kept[0]!.at < sample.at - keepMs) kept.shift();
        for (const listener of listeners) listener(sample);
        return sample;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        read()
          .catch((error: unknown) =>
            logger.warn({ err: error }, "dashboard: status could not be read"),
          )
          .finally(schedule);
      },
      Math.max(listeners.size > 0 ? watchedEveryMs : idleEveryMs, READ_SHARE_INVERSE * lastReadMs),
    );
    timer.unref();
  };
  schedule();

  return {
    latest: async () => kept.at(-1) ?? read(),
    samples: () => kept,
    subscribe(listener) {
      const first = listeners.size === 0;
      listeners.add(listener);
      // The first watcher should not wait out an idle interval for its first update.
      if (first && !stopped) {
        clearTimeout(timer);
        schedule();
      }
      return () => listeners.delete(listener);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      listeners.clear();
    },
  };
}

/**
 * How fast a figure grows per hour over the samples kept (first to last), or
 * undefined when fewer than two samples span at least `minSpanMs`.
 */
export function ratePerHour(
  samples: readonly StatusSample[],
  figure: (status: PipelineStatus) => number | undefined,
  minSpanMs = 10_000,
): number | undefined {
  const points = samples.flatMap((sample) => {
    const value = figure(sample.status);
    return value === undefined ? [] : [{ at: sample.at, value }];
  });
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points.at(-1)!;
  if (last.at - first.at < minSpanMs) return undefined;
  return ((last.value - first.value) / (last.at - first.at)) * 3_600_000;
}
