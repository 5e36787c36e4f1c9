/**
 * Where a lead waiting to be sent goes now. A lead keeps the workspace and
 * table it was admitted to, but each time a deferred lead is retried its
 * destination is resolved again from the config as it is today: a source
 * pointed at a new table takes its waiting leads along. A lead whose source
 * is gone from the config keeps its own table.
 */

import { resolveSource } from "../config/resolve-source.js";
import type { ClaypipeConfig } from "../config/schema.js";
import type { StoredLead } from "../store/lead-store.js";

export interface Destination {
  workspace: string;
  /** The table's name in the config. */
  table: string;
}

export function currentDestination(
  config: ClaypipeConfig,
  lead: Pick<StoredLead, "source" | "workspace" | "table">,
): Destination {
  if (config.sources.some((source) => source.name === lead.source)) {
    return sourceDestination(config, lead.source);
  }
  return { workspace: lead.workspace, table: lead.table };
}

/** Where a configured source sends today. */
export function sourceDestination(config: ClaypipeConfig, source: string): Destination {
  const { workspace, table } = resolveSource(config, source);
  return { workspace, table };
}

/** Whether the config has this table in this workspace. */
export function hasTable(config: ClaypipeConfig, destination: Destination): boolean {
  return config.clay.workspaces.some(
    (workspace) =>
      workspace.name === destination.workspace &&
      workspace.tables.some((table) => table.name === destination.table),
  );
}
