/**
 * Checks of the sources' intake blocks (`form`, `hubspot`, `crm`) that span
 * several keys: form ids are unique, HubSpot knows the URL it signs, and the
 * tier runs the HTTP server that serves them.
 */
import type { ConfigProblem } from "./interpolate-env.js";
import type { ClaypipeConfig } from "./schema.js";

export function checkSourceIntake(config: ClaypipeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const formIds = new Map<string, string>();
  config.sources.forEach((source, i) => {
    if (config.tier === "direct") {
      for (const kind of ["form", "hubspot", "crm"] as const) {
        if (source[kind] === undefined) continue;
        problems.push({
          path: `sources[${i}].${kind}`,
          message:
            "the direct tier runs no HTTP server to take these posts: set tier: standard (or higher), or remove the block",
        });
      }
    }
    if (source.form) {
      const id = source.form.id ?? source.name;
      const owner = formIds.get(id);
      if (owner !== undefined) {
        problems.push({
          path: `sources[${i}].form${source.form.id === undefined ? "" : ".id"}`,
          message: `the form id "${id}" is already used by source "${owner}": give each form its own form.id`,
        });
      } else {
        formIds.set(id, source.name);
      }
    }
    if (source.hubspot && source.hubspot.targetUrl === undefined && !config.callbacks) {
      problems.push({
        path: `sources[${i}].hubspot.targetUrl`,
        message:
          "HubSpot signs the URL it calls: set targetUrl to the app's webhook target URL (or set callbacks.baseUrl, and the target is <baseUrl>/v1/hubspot/<source>)",
      });
    }
  });
  return problems;
}
