/** The HTTP server that fronts a pipeline. */
export { type ClaypipeServer, createServer, type ServerOptions } from "./create-server.js";
export {
  createServerMetrics,
  type ServerMetrics,
  type ServerMetricsOptions,
} from "./server-metrics.js";
