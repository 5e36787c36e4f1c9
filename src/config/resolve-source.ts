/** Finds an intake source by name, and where its leads go: workspace, table and priority. */

import { ClaypipeError } from "../core/errors.js";
import { resolveTable } from "./resolve-table.js";
import type { ClaypipeConfig, SourceConfig } from "./schema.js";

export interface ResolvedSource {
  source: SourceConfig;
  /** The workspace's name. */
  workspace: string;
  /** The table's name in the config. */
  table: string;
  /** Lower is sent first. */
  priority: number;
}

/** The named source, or the first configured one when none is named. */
export function resolveSource(config: ClaypipeConfig, name?: string): ResolvedSource {
  const source =
    name === undefined
      ? config.sources[0]
      : config.sources.find((candidate) => candidate.name === name);
  if (!source) {
    const names = config.sources.map((candidate) => candidate.name);
    throw new ClaypipeError("input_invalid", `no intake source "${name}" in the config`, {
      hint:
        names.length > 0
          ? `use one of: ${names.join(", ")}`
          : "add a source under `sources:` in the config",
    });
  }
  const { workspace, table } = resolveTable(config, source.table);
  return { source, workspace: workspace.name, table: table.name, priority: source.priority };
}
