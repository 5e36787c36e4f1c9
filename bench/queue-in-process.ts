/**
 * claypipe's queue tier in this process, as the library runs it: an API
 * pipeline (role api: intake and feeding) with its HTTP server, and any number
 * of worker pipelines (role worker) sharing its PostgreSQL schema and Redis
 * queues. Logs at warn and up go to stderr.
 */
import type { ClaypipeConfig } from "../src/config/schema.js";
import { createLogger } from "../src/logging/create-logger.js";
import type { Pipeline } from "../src/pipeline/pipeline-api.js";
import { createServer } from "../src/server/create-server.js";
import { createPipeline } from "../src/tiers/create-pipeline.js";

export interface InProcessQueueTier {
  api: Pipeline;
  /** The API server's URL. */
  url: string;
  /** Stops the server and every pipeline; later calls wait for the first. */
  close(): Promise<void>;
}

export async function startInProcessQueueTier(
  config: ClaypipeConfig,
  workers: number,
): Promise<InProcessQueueTier> {
  const logger = createLogger("warn");
  const pipelines: Pipeline[] = [];
  const open = async (role: "api" | "worker") => {
    const pipeline = await createPipeline(config, { role, logger });
    pipelines.push(pipeline);
    await pipeline.start();
    return pipeline;
  };
  const api = await open("api");
  const server = createServer({ pipeline: api, config, logger });
  const url = await server.listen();
  for (let i = 0; i < workers; i++) await open("worker");
  let closed: Promise<void> | undefined;
  return {
    api,
    url,
    close() {
      closed ??= (async () => {
        await server.close();
        for (const pipeline of pipelines) await pipeline.stop();
      })();
      return closed;
    },
  };
}
