/** One status line for a table's capacity: rows left, and what each webhook source has left. */
import type { PoolCapacity } from "../clay/webhook-pool.js";

export function describePool(pool: PoolCapacity): string {
  const rows = `${pool.table.remaining} rows`;
  if (pool.webhooks.length > 0 && pool.webhooks.every((webhook) => webhook.retired)) {
    return `${rows}; all webhooks retired: add a webhook source`;
  }
  const left = pool.webhooks.map((webhook) =>
    webhook.unusable ? "refused by Clay" : webhook.retired ? "retired" : webhook.remaining,
  );
  return `${rows}; submissions per webhook ${left.join(", ")}`;
}
