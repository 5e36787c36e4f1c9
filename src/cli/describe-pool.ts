/** One status line for a table's capacity: rows left, and what each webhook source has left. */
import type { PoolCapacity } from "../clay/webhook-pool.js";
import { formatRows, say } from "./output.js";

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

/** The "webhook capacity left" block of `claypipe status`, for every tier. */
export function printCapacity(
  capacity: ReadonlyArray<{ workspace: string; table: string; pool: PoolCapacity }>,
): void {
  say("\nwebhook capacity left");
  say(
    formatRows(
      capacity.map((table): [string, string] => [
        `${table.workspace}/${table.table}`,
        describePool(table.pool),
      ]),
    ),
  );
}
