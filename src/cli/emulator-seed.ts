/**
 * The emulator seeded from a claypipe config: every workspace, table and
 * webhook the config names exists in the emulator, with the same tokens.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";
import type { EmulatorWorkspaceSpec } from "../emulator/index.js";

const WEBHOOK_UUID = /pull-in-data-from-a-webhook-([A-Za-z0-9-]+)\/?$/;

export function emulatorWorkspacesFromConfig(config: ClaypipeConfig): EmulatorWorkspaceSpec[] {
  return config.clay.workspaces.map((workspace) => ({
    id: workspace.name,
    ...(workspace.publicApi ? { apiKey: workspace.publicApi.apiKey } : {}),
    rateLimit: workspace.rateLimit,
    tables: workspace.tables.map((table) => ({
      id: table.id ?? table.name,
      rowLimit: table.rowLimit,
      webhooks: table.webhooks.map((webhook) => {
        const uuid = WEBHOOK_UUID.exec(webhook.url)?.[1];
        if (!uuid) {
          throw new ClaypipeError(
            "config_invalid",
            `webhook URL ${webhook.url} is not a Clay webhook source URL`,
            {
              hint: "emulated webhooks look like http://127.0.0.1:4010/v3/sources/webhook/pull-in-data-from-a-webhook-<id>",
            },
          );
        }
        return {
          uuid,
          submissionLimit: webhook.submissionLimit,
          ...(webhook.authToken ? { authToken: webhook.authToken } : {}),
        };
      }),
    })),
  }));
}
