/**
 * `claypipe status` and GET /v1/status: where every lead is, credits used
 * against each cap in the current day and month, the leads a cap holds and
 * when they resume, credits saved by dedupe and by the pre-send rules,
 * webhook and row capacity left per table, circuit breakers, the DLQ, and
 * the running totals a dashboard turns into rates (read-activity.ts).
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { Credits } from "../store/store.js";
import { readCreditHolds } from "./credit-holds.js";
import { capScopes, windowAt } from "./credit-windows.js";
import type { PipelineStatus } from "./pipeline-api.js";
import type { PipelineContext } from "./pipeline-context.js";
import { readActivityTotals, sumSubmissions } from "./read-activity.js";

/** Everything but the transport's queues and lag and the refresh schedules, which the wiring adds. */
export async function readStatus(
  ctx: PipelineContext,
): Promise<Omit<PipelineStatus, "queues" | "busLag" | "refresh">> {
  const { config, store } = ctx;
  const now = ctx.clock.now();

  const scopes = capScopes(config);
  // The ledger counts usage only under caps that exist, so only those are shown.
  const capped = scopes.flatMap(([scope, caps]) =>
    (
      [
        ["day", caps.daily],
        ["month", caps.monthly],
      ] as const
    )
      .filter(([, limit]) => limit?.actions !== undefined || limit?.data !== undefined)
      .map(([kind, limit]) => ({ scope, window: windowAt(kind, now).key, limit: { ...limit } })),
  );

  const tables = config.clay.workspaces.flatMap((ws) =>
    ws.tables.map((table) => ({ workspace: ws.name, table: table.name })),
  );

  const [states, credits, creditsSaved, skipped, creditHolds, capacity, deadDeliveries, totals] =
    await Promise.all([
      store.leads.countByState(),
      Promise.all(
        capped.map(async (cap) => ({
          ...cap,
          used: await store.ledger.used(cap.scope, cap.window),
        })),
      ),
      store.ledger.saved(),
      store.leads.countByWorkspace("skipped"),
      readCreditHolds(config, store),
      Promise.all(
        tables.flatMap(({ workspace, table }) => {
          const sender = ctx.senders.get(workspace);
          return sender
            ? [sender.capacity(table).then((pool) => ({ workspace, table, pool }))]
            : [];
        }),
      ),
      store.deliveries.countDead(),
      readActivityTotals(ctx),
    ]);

  return {
    tier: config.tier,
    states,
    credits,
    creditsSaved,
    creditsSavedByRules: savedByRules(config, skipped),
    creditHolds,
    capacity,
    breakers: await Promise.all(
      [...ctx.breakers].map(async ([workspace, breaker]) => ({
        workspace,
        state: await breaker.state(),
      })),
    ),
    dlq: { leads: states.dead, deliveries: deadDeliveries },
    activity: { sent: sumSubmissions(capacity), ...totals, dead: states.dead },
  };
}

/**
 * What the leads the pre-send rules keep skipped would have cost: counted
 * from the store when asked, so it is exact across processes, and a skipped
 * lead a person sends anyway stops counting.
 */
function savedByRules(config: ClaypipeConfig, skipped: Record<string, number>): Credits {
  const saved = { actions: 0, data: 0 };
  for (const workspace of config.clay.workspaces) {
    const count = skipped[workspace.name] ?? 0;
    saved.actions += count * workspace.costEstimate.actions;
    saved.data += count * workspace.costEstimate.data;
  }
  // Thousandths, as the ledger keeps credits: 3 × 0.1 is 0.3.
  return {
    actions: Math.round(saved.actions * 1000) / 1000,
    data: Math.round(saved.data * 1000) / 1000,
  };
}
