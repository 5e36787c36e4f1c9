/**
 * Which stored results a refresh schedule renews now: each person's newest
 * version older than `olderThan`, oldest first, that passes the schedule's
 * filters (source, table, route, `where` over the result), as long as the
 * run's limit and its share of the credits left allow.
 */
import type { RefreshScheduleConfig } from "../config/refresh-schema.js";
import { resolveTable } from "../config/resolve-table.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { evaluate, parseExpression } from "../routing/index.js";
import type { Credits, RefreshFigures, Store, StoredLead } from "../store/store.js";
import { estimateCredits, refreshSpendGuard } from "./refresh-spend-guard.js";

export interface RefreshPlan {
  schedule: string;
  /** The versions to renew, oldest first. */
  leads: StoredLead[];
  /** Stale versions that passed the filters, looked at before the run stopped. */
  examined: number;
  estimatedCredits: Credits;
  stoppedBy: RefreshFigures["stoppedBy"];
}

/** Stale versions read per store query. */
const PAGE = 500;

export async function planRefresh(
  config: ClaypipeConfig,
  store: Pick<Store, "versions" | "ledger">,
  schedule: RefreshScheduleConfig,
  now: number,
): Promise<RefreshPlan> {
  const matches = versionFilter(config, schedule);
  const take = refreshSpendGuard(config, store.ledger, schedule.creditShare, now);
  const leads: StoredLead[] = [];
  let examined = 0;
  let stoppedBy: RefreshFigures["stoppedBy"] = null;
  let cursor: string | undefined;
  scan: do {
    const page = await store.versions.stale({
      createdBefore: now - schedule.olderThan,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const lead of page.leads) {
      if (!matches(lead)) continue;
      examined += 1;
      if (leads.length >= schedule.maxPerRun) {
        stoppedBy = "maxPerRun";
        break scan;
      }
      // Oldest first until the money runs out: a younger version never jumps an older one.
      if (!(await take(lead))) {
        stoppedBy = "credits";
        break scan;
      }
      leads.push(lead);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    schedule: schedule.name,
    leads,
    examined,
    estimatedCredits: estimateCredits(config, leads),
    stoppedBy,
  };
}

function versionFilter(
  config: ClaypipeConfig,
  schedule: RefreshScheduleConfig,
): (lead: StoredLead) => boolean {
  const sources = schedule.sources && new Set(schedule.sources);
  const tables =
    schedule.tables &&
    new Set(
      schedule.tables.map((ref) => {
        const { workspace, table } = resolveTable(config, ref);
        return `${workspace.name}/${table.name}`;
      }),
    );
  const routes = schedule.routes && new Set(schedule.routes);
  // Refreshes sent to one table renew the people of its workspace only: a person is per workspace.
  const workspace =
    schedule.sendTo === undefined
      ? undefined
      : resolveTable(config, schedule.sendTo).workspace.name;
  const where = schedule.where === undefined ? undefined : parseExpression(schedule.where);
  return (lead) =>
    (!workspace || lead.workspace === workspace) &&
    (!sources || sources.has(lead.source)) &&
    (!tables || tables.has(`${lead.workspace}/${lead.table}`)) &&
    (!routes || lead.routes.some((route) => routes.has(route))) &&
    (!where || evaluate(where, lead.result ?? {}));
}
