/**
 * The library entry's `createServer`: it loads the HTTP server (Fastify,
 * prom-client) on the first call, so importing claypipe loads neither.
 */
import { importBackend } from "../core/import-backend.js";
import type { ClaypipeServer, ServerOptions } from "./create-server.js";

export async function createServer(options: ServerOptions): Promise<ClaypipeServer> {
  const server = await importBackend(
    "fastify",
    "the HTTP server",
    () => import("./create-server.js"),
  );
  return server.createServer(options);
}
