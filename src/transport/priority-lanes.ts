/**
 * Priority lanes with fair sharing. Each source's priority is a lane; when a
 * feeder (BullMQ's queue, the event tier's topic) refills a workspace's share it shares the free places among the lanes
 * by weight 1 / (1 + priority), at least one place each. A web form (priority
 * 0) gets most places, yet a million-row backfill (say priority 10) still moves,
 * and a fresh form lead never waits behind more than the queue's lookahead.
 */

import { resolveSource } from "../config/resolve-source.js";
import type { ClaypipeConfig } from "../config/schema.js";
import type { LeadStore, LeaseQuery } from "../store/lead-store.js";

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

/**
 * Leases up to `room` due leads of the workspace, lane by lane by their
 * shares; places the lanes leave free go to whoever waits longest, whatever
 * its lane (refreshes, whose lane no source has, and leads of a priority no
 * source has any more).
 */
export async function leaseByLanes(
  leads: Pick<LeadStore, "leaseDue">,
  lease: Omit<LeaseQuery, "priority" | "limit">,
  lanes: readonly number[],
  room: number,
): Promise<string[]> {
  const ids: string[] = [];
  const shares = laneShares(lanes, room);
  for (const [index, priority] of lanes.entries()) {
    const limit = Math.min(shares[index]!, room - ids.length);
    if (limit <= 0) break;
    ids.push(...(await leads.leaseDue({ ...lease, priority, limit })));
  }
  if (ids.length < room)
    ids.push(...(await leads.leaseDue({ ...lease, limit: room - ids.length })));
  return ids;
}
