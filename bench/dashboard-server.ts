/**
 * The dashboard benchmark's server, in a process of its own so that what it
 * does meanwhile (the live overview's status read, synchronous on SQLite)
 * delays the requests the benchmark times, as it would a browser's: the
 * pipeline on the seeded store (not started), createServer with the dashboard,
 * listening on a free port. Over IPC it tells its URL, times pipeline.status()
 * when asked, and closes.
 */
import { silentLogger } from "../src/logging/create-logger.js";
import { createServer } from "../src/server/create-server.js";
import { createPipeline } from "../src/tiers/create-pipeline.js";
import { type BenchStore, benchConfig } from "./dashboard-config.js";
import { type Timing, timeIt } from "./dashboard-timing.js";

export type ServerRequest =
  | { type: "open"; store: BenchStore; dir: string }
  | { type: "time-status"; rounds: number; warmup: number }
  | { type: "close" };

export type ServerAnswer =
  | { type: "listening"; url: string; redisPrefix: string | null }
  | { type: "status-timed"; timing: Timing }
  | { type: "closed" };

async function serve(): Promise<void> {
  let running: Awaited<ReturnType<typeof open>> | undefined;
  const answer = (message: ServerAnswer) => process.send!(message);
  process.on("message", async (request: ServerRequest) => {
    if (request.type === "open") {
      running = await open(request.store, request.dir);
      answer({ type: "listening", url: running.url, redisPrefix: running.redisPrefix });
    } else if (request.type === "time-status") {
      const status = async () => {
        await running!.pipeline.status();
      };
      answer({
        type: "status-timed",
        timing: await timeIt(status, request.rounds, request.warmup),
      });
    } else {
      await running?.server.close();
      await running?.pipeline.stop();
      process.send!({ type: "closed" } satisfies ServerAnswer, () => process.exit(0));
    }
  });
}

async function open(store: BenchStore, dir: string) {
  const config = benchConfig(store, 0, dir);
  const pipeline = await createPipeline(config, {
    logger: silentLogger(),
    ...(store.kind === "postgres" ? { role: "api" as const } : {}),
  });
  const server = createServer({ pipeline, config, logger: silentLogger() });
  const url = await server.listen();
  return { pipeline, server, url, redisPrefix: config.queue?.prefix ?? null };
}

await serve();
