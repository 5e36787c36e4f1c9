/**
 * Clay as the config reaches it: each workspace's public API key accepted
 * (`GET /me`, and one row of each table with an id, as the start check does),
 * and each webhook source's URL well-formed with its auth token set.
 */
import { checkPublicApi } from "../clay/check-public-api.js";
import { createLocalPublicApiLimiter } from "../clay/public-api-client.js";
import { PublicApiError, shownUrl } from "../clay/public-api-errors.js";
import type { ClaypipeConfig, WebhookConfig, WorkspaceConfig } from "../config/schema.js";
import { isSet } from "../config/unset-variable.js";
import { systemClock } from "../core/clock.js";
import { isLoopbackHost } from "./addresses.js";
import { type DoctorCheck, error, ok, warning, worstLevel } from "./doctor-report.js";
import type { Probe } from "./probe.js";
import { unsetSecret } from "./unset-secret.js";

export function publicApiProbes(
  config: ClaypipeConfig,
  options: { timeoutMs: number; fetch?: typeof fetch },
): Probe[] {
  return config.clay.workspaces.flatMap((workspace) =>
    workspace.publicApi ? [publicApiProbe(workspace, options)] : [],
  );
}

/** Workspaces without a public API: said, since reconcile and `enrich --wait` need one. */
export function publicApiAbsent(config: ClaypipeConfig): DoctorCheck[] {
  return config.clay.workspaces.flatMap((workspace) =>
    workspace.publicApi
      ? []
      : [
          ok(
            "clay",
            `clay.${workspace.name}.publicApi`,
            config.tier === "direct"
              ? "not set: results stay in Clay (`claypipe enrich --wait` reads them through it)"
              : "not set: a lead whose callback never comes is retried or dead-lettered without a look in Clay (reconcile)",
          ),
        ],
  );
}

function publicApiProbe(
  workspace: WorkspaceConfig,
  options: { timeoutMs: number; fetch?: typeof fetch },
): Probe {
  const publicApi = workspace.publicApi!;
  const name = `clay.${workspace.name}.publicApi`;
  const address = shownUrl(`${publicApi.baseUrl}${publicApi.mePath}`);
  return {
    group: "clay",
    name,
    address,
    hint: "check publicApi.baseUrl (Clay's is https://api.clay.com/public/v0) and the network",
    async run(signal): Promise<DoctorCheck[]> {
      const unset = unsetSecret("clay", name, publicApi.apiKey, `${name}.apiKey`);
      if (unset) return [unset];
      const tableIds = workspace.tables.flatMap((table) => (table.id ? [table.id] : []));
      try {
        const problem = await checkPublicApi(publicApi, {
          workspace: workspace.name,
          tableIds,
          // One call per table id after /me, at once: a check that waits its turn would time out.
          limiter: createLocalPublicApiLimiter({
            ...publicApi,
            rate: { ...publicApi.rate, burst: Math.max(publicApi.rate.burst, tableIds.length + 1) },
          }),
          clock: systemClock,
          requestTimeoutMs: options.timeoutMs,
          signal,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        if (!problem) {
          const tables = tableIds.length > 0 ? ` and ${tableIds.length} table id(s) read` : "";
          return [ok("clay", name, `key accepted by ${address}${tables}`)];
        }
        // Clay busy (429) may pass by itself; no answer, or no credits, stops enrichment.
        const busy = problem instanceof PublicApiError && problem.status === 429;
        return [
          (busy ? warning : error)(
            "clay",
            name,
            problem.message,
            problem.hint ?? "check publicApi.baseUrl",
          ),
        ];
      } catch (thrown) {
        if (!(thrown instanceof PublicApiError)) throw thrown;
        return [error("clay", name, thrown.message, thrown.hint ?? "check the publicApi settings")];
      }
    },
  };
}

export function webhookChecks(config: ClaypipeConfig): DoctorCheck[] {
  return config.clay.workspaces.flatMap((workspace) =>
    workspace.tables.flatMap((table) =>
      table.webhooks.map((webhook, i) =>
        webhookCheck(`clay.${workspace.name}.${table.name}.webhooks[${i}]`, webhook),
      ),
    ),
  );
}

function webhookCheck(name: string, webhook: WebhookConfig): DoctorCheck {
  const findings = [judgeUrl(webhook.url), judgeToken(name, webhook.authToken)];
  const level = worstLevel(findings.map((finding) => finding.level));
  const hints = findings.flatMap((finding) => (finding.hint ? [finding.hint] : []));
  return {
    group: "clay",
    name,
    level,
    found: `${shownUrl(webhook.url)}: ${findings.map((finding) => finding.found).join("; ")}`,
    ...(hints.length > 0 ? { hint: hints.join("; ") } : {}),
  };
}

type Finding = Pick<DoctorCheck, "level" | "found" | "hint">;

const PASTE = "paste the URL Clay shows for the table's webhook source";

function judgeUrl(text: string): Finding {
  const url = new URL(text);
  if (/REPLACE[-_]?ME/i.test(text)) {
    return { level: "error", found: "the starter config's placeholder", hint: PASTE };
  }
  if (isLoopbackHost(url.hostname)) return { level: "ok", found: "a local Clay (the emulator)" };
  if (url.hostname !== "api.clay.com") {
    return { level: "warning", found: "not Clay's address (api.clay.com)", hint: PASTE };
  }
  if (url.protocol !== "https:") {
    return { level: "error", found: "plain http", hint: "use https://api.clay.com/…" };
  }
  if (url.pathname.startsWith("/v1/")) {
    return {
      level: "warning",
      found: "the deprecated /v1 form",
      hint: "use the /v3/sources/webhook/… URL Clay shows today",
    };
  }
  if (!url.pathname.startsWith("/v3/sources/webhook/")) {
    return { level: "warning", found: "not a webhook source path", hint: PASTE };
  }
  return { level: "ok", found: "a Clay webhook source" };
}

function judgeToken(name: string, token: string | undefined): Finding {
  if (token === undefined) {
    return {
      level: "warning",
      found: "no auth token",
      hint: "anyone with the URL can add rows: turn on the source's auth token in Clay and give it to authToken from the environment (e.g. CLAY_WEBHOOK_TOKEN)",
    };
  }
  if (!isSet(token)) {
    const unset = unsetSecret("clay", name, token, `${name}.authToken`)!;
    return { level: "error", found: "auth token variable unset", hint: unset.hint! };
  }
  return { level: "ok", found: "auth token set" };
}
