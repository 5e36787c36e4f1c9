/** Finds a table by "name" or "workspace/name"; the first table when none is named. */
import { ClaypipeError } from "../core/errors.js";
import type { ClaypipeConfig, TableConfig, WorkspaceConfig } from "./schema.js";

export interface TableRef {
  workspace: WorkspaceConfig;
  table: TableConfig;
}

export function resolveTable(config: ClaypipeConfig, ref?: string): TableRef {
  const all = config.clay.workspaces.flatMap((workspace) =>
    workspace.tables.map((table) => ({ workspace, table })),
  );
  if (ref === undefined) return all[0]!;
  const [workspaceName, tableName] = ref.includes("/") ? ref.split("/", 2) : [undefined, ref];
  const matches = all.filter(
    (entry) =>
      entry.table.name === tableName &&
      (workspaceName === undefined || entry.workspace.name === workspaceName),
  );
  const names = all.map((entry) => `${entry.workspace.name}/${entry.table.name}`).join(", ");
  if (matches.length === 0) {
    throw new ClaypipeError("input_invalid", `no table "${ref}" in the config`, {
      hint: `use one of: ${names}`,
    });
  }
  if (matches.length > 1) {
    throw new ClaypipeError("input_invalid", `table name "${ref}" is in several workspaces`, {
      hint: `name it as workspace/table: ${names}`,
    });
  }
  return matches[0]!;
}
