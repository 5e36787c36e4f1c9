/**
 * At pipeline start, every workspace with `publicApi` is checked once (see
 * clay/check-public-api.ts): a key Clay refuses, or an address or table id it
 * has nothing at, stops the start with one error saying what to fix; a Clay
 * that does not answer is a warning, and reconcile tries again when a lead needs it.
 */
import { checkPublicApi } from "../clay/check-public-api.js";
import type { RateLimiter } from "../clay/rate-limit/rate-limiter.js";
import type { ClaypipeConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";

export async function checkPublicApis(
  config: ClaypipeConfig,
  limiters: ReadonlyMap<string, RateLimiter>,
  options: { clock: Clock; logger: Logger; signal?: AbortSignal },
): Promise<void> {
  for (const workspace of config.clay.workspaces) {
    const limiter = limiters.get(workspace.name);
    if (!workspace.publicApi || !limiter) continue;
    const tableIds = workspace.tables.flatMap((table) => (table.id ? [table.id] : []));
    const problem = await checkPublicApi(workspace.publicApi, {
      workspace: workspace.name,
      tableIds,
      limiter,
      clock: options.clock,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (problem) {
      options.logger.warn(
        { workspace: workspace.name },
        `could not check Clay's public API for workspace "${workspace.name}" at start: ${problem.message}; reconcile tries again when a lead needs it (${problem.hint ?? "check publicApi.baseUrl"})`,
      );
    } else {
      options.logger.info(
        { workspace: workspace.name, tables: tableIds.length },
        "Clay's public API key checked",
      );
    }
  }
}
