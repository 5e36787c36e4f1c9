/** What a breaker says when it changes state: the same words from the in-memory and the Redis one. */
import type { Logger } from "../../logging/create-logger.js";

export function logBreakerOpened(
  logger: Logger | undefined,
  workspace: string,
  openUntil: number,
  why: string,
): void {
  logger?.warn(
    { workspace, reopensAt: new Date(openUntil).toISOString() },
    `circuit breaker for workspace "${workspace}" opened (${why}): sends wait until it probes Clay again`,
  );
}

export function logBreakerHalfOpen(logger: Logger | undefined, workspace: string): void {
  logger?.info({ workspace }, "circuit breaker half-open: one probe goes to Clay");
}

export function logBreakerClosed(logger: Logger | undefined, workspace: string): void {
  logger?.info(
    { workspace },
    `circuit breaker for workspace "${workspace}" closed: Clay answers again`,
  );
}
