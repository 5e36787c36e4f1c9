/**
 * Priority lanes with fair sharing. Each source's priority is a lane; when the
 * feeder refills a workspace's queue it shares the free places among the lanes
 * by weight 1 / (1 + priority), at least one place each. A web form (priority
 * 0) gets most places, yet a million-row backfill (say priority 10) still moves,
 * and a fresh form lead never waits behind more than the queue's lookahead.
 */

import { resolveSource } from "../../config/resolve-source.js";
import type { ClaypipeConfig } from "../../config/schema.js";

/** The lanes of one workspace, highest priority (lowest number) first. */
export function workspaceLanes(config: ClaypipeConfig, workspace: string): number[] {
  const priorities = config.sources
    .map((source) => resolveSource(config, source.name))
    .filter((resolved) => resolved.workspace === workspace)
    .map((resolved) => resolved.priority);
  return [...new Set(priorities)].sort((a, b) => a - b);
}

/** How many of `room` places each lane may fill, in lane order; they add up to at least `room`. */
export function laneShares(lanes: readonly number[], room: number): number[] {
  const weights = lanes.map((priority) => 1 / (1 + priority));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => Math.max(1, Math.round((room * weight) / total)));
}
