/**
 * What is left before Clay's limits and the credit caps stop leads: rows per
 * table and submissions per webhook from the store's counters (the direct
 * tier's state directory), and credits used against each cap in the current
 * day and month — read the way `claypipe status` reads them.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { PoolCapacity } from "../clay/webhook-pool.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { silentLogger } from "../logging/create-logger.js";
import type { PipelineStatus } from "../pipeline/pipeline-api.js";
import { createPipeline } from "../tiers/create-pipeline.js";
import { createDirectPipeline } from "../tiers/direct/direct-pipeline.js";
import { type DoctorCheck, error, ok, warning } from "./doctor-report.js";
import type { Probe } from "./probe.js";
import { storeHoldsState } from "./store-checks.js";

/** Below this share of a limit left, a line warns. */
const LOW_SHARE = 0.1;
/** At this share of a credit cap used, a line warns. */
const NEAR_CAP = 0.8;

type Capacity = PipelineStatus["capacity"];

/** Reads the counters through `readStatus` when given (a running pipeline), else through a pipeline of its own. */
export function capacityProbe(
  config: ClaypipeConfig,
  timeoutMs: number,
  readStatus?: () => Promise<PipelineStatus>,
): Probe {
  return {
    group: "capacity",
    name: "capacity",
    address: config.tier === "direct" ? config.stateDir : "the store",
    hint: "check the store's line above; `claypipe status` reads the same counters",
    async run(signal): Promise<DoctorCheck[]> {
      if (readStatus) {
        const status = await readStatus();
        return [...capacityChecks(status.capacity), ...creditChecks(config, status.credits)];
      }
      if (config.tier === "direct") {
        // Nothing sent yet: no counters, and reading them would create the state directory.
        if (!existsSync(resolve(config.stateDir))) {
          return capacityChecks(untouchedCapacity(config));
        }
        const status = await createDirectPipeline(config, { logger: silentLogger() }).status();
        return capacityChecks(status.capacity);
      }
      if (!(await storeHoldsState(config, timeoutMs))) {
        return [...capacityChecks(untouchedCapacity(config)), ...creditChecks(config, [])];
      }
      const pipeline = await createPipeline(config, { logger: silentLogger() });
      // Out of time, the pipeline is stopped all the same, so nothing keeps the process alive.
      const stop = () => void pipeline.stop();
      if (signal.aborted) stop();
      signal.addEventListener("abort", stop, { once: true });
      try {
        const status = await pipeline.status();
        return [...capacityChecks(status.capacity), ...creditChecks(config, status.credits)];
      } finally {
        signal.removeEventListener("abort", stop);
        await pipeline.stop();
      }
    },
  };
}

/** Every limit whole, less its margin: what a store that has sent nothing would say. */
function untouchedCapacity(config: ClaypipeConfig): Capacity {
  return config.clay.workspaces.flatMap((ws) =>
    ws.tables.map((table) => {
      const whole = (limit: number) => ({
        used: 0,
        limit: limit - table.capacityMargin,
        remaining: limit - table.capacityMargin,
      });
      return {
        workspace: ws.name,
        table: table.name,
        pool: {
          table: whole(table.rowLimit),
          webhooks: table.webhooks.map((webhook, index) => ({
            ...whole(webhook.submissionLimit),
            index,
            key: `webhook:${index}`,
            retired: false,
            unusable: false,
          })),
        },
      };
    }),
  );
}

function capacityChecks(capacity: Capacity): DoctorCheck[] {
  return capacity.map(({ workspace, table, pool }) => tableCheck(`${workspace}/${table}`, pool));
}

function tableCheck(table: string, pool: PoolCapacity): DoctorCheck {
  const name = `capacity.${table}`;
  const usable = pool.webhooks.filter((webhook) => !webhook.retired && !webhook.unusable);
  const submissions = usable.reduce((sum, webhook) => sum + webhook.remaining, 0);
  const submissionLimit = pool.webhooks.reduce((sum, webhook) => sum + webhook.limit, 0);
  const found = `${pool.table.remaining} of ${pool.table.limit} rows left; ${submissions} webhook submissions left on ${usable.length} of ${pool.webhooks.length} webhooks`;
  const addTable =
    "add a Clay table (with its webhook source) to the config and point the sources at it";
  const addWebhook =
    "add another webhook source to the table in Clay and list it under the table's webhooks";
  if (pool.table.remaining <= 0) return error("capacity", name, found, addTable);
  if (usable.length === 0 || submissions <= 0) return error("capacity", name, found, addWebhook);
  if (pool.table.remaining < pool.table.limit * LOW_SHARE) {
    return warning("capacity", name, found, addTable);
  }
  if (submissions < submissionLimit * LOW_SHARE)
    return warning("capacity", name, found, addWebhook);
  return ok("capacity", name, found);
}

function creditChecks(config: ClaypipeConfig, credits: PipelineStatus["credits"]): DoctorCheck[] {
  const uncapped = config.clay.workspaces
    .filter((ws) => ws.credits.daily === undefined && ws.credits.monthly === undefined)
    .map((ws) =>
      warning(
        "credits",
        `credits.workspace:${ws.name}`,
        "no daily or monthly cap: only Clay's workbook spend limit stops spending",
        `set clay.workspaces[].credits.daily and .monthly, so a surge of leads cannot spend the month's credits`,
      ),
    );
  const caps = credits.map(({ scope, window, used, limit }) => {
    const name = `credits.${scope}`;
    const parts = (["actions", "data"] as const).flatMap((meter) =>
      limit[meter] === undefined ? [] : [`${meter} ${used[meter]} of ${limit[meter]}`],
    );
    const share = Math.max(
      ...(["actions", "data"] as const).map((meter) => {
        const cap = limit[meter];
        if (cap === undefined) return 0;
        return cap === 0 ? 1 : used[meter] / cap;
      }),
    );
    const found = `${window}: ${parts.join(", ")} used`;
    if (share >= 1) {
      return error(
        "credits",
        name,
        `${found}: at the cap`,
        "leads wait as deferred until the next window; raise the cap to go on now",
      );
    }
    if (share >= NEAR_CAP) {
      return warning(
        "credits",
        name,
        `${found}: ${Math.round(share * 100)}% of the cap`,
        "new leads are deferred when the cap is reached: raise it if this window needs more",
      );
    }
    return ok("credits", name, found);
  });
  return [...uncapped, ...caps];
}
