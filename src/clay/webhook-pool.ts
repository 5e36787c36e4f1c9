/**
 * A table's webhook sources, used in order. Clay allows 50,000 submissions per
 * webhook for its lifetime and 50,000 rows per table, and drops rows past the
 * table's limit without a word, so claypipe counts both itself: a webhook retires
 * `capacityMargin` submissions before its limit and the next one takes over; the
 * table stops `capacityMargin` rows before its own. Nothing is ever posted into a
 * full table.
 *
 * A webhook Clay refuses as configured (unknown URL, wrong auth token) is taken
 * out of the pool for the life of the process, said once as a config error: the
 * next webhook takes over, and with none left the table has no capacity until
 * the config is fixed.
 *
 * Counter keys use a hash of the webhook URL, never the URL: it is credential-like.
 */
import { createHash } from "node:crypto";
import type { TableConfig, WebhookConfig } from "../config/schema.js";
import type { Logger } from "../logging/create-logger.js";
import type { CapacityCounters } from "../store/capacity-counters.js";

export interface WebhookPoolOptions {
  /** The workspace's name, to tell tables of the same name apart. */
  workspace: string;
  table: TableConfig;
  counters: CapacityCounters;
  logger?: Logger;
}

export type PoolReservation =
  | { ok: true; webhook: WebhookConfig; index: number }
  | {
      ok: false;
      reason: "table_full" | "webhooks_exhausted" | "webhooks_unusable";
      message: string;
    };

export interface CounterCapacity {
  used: number;
  /** What claypipe lets it reach: Clay's limit less the capacity margin. */
  limit: number;
  remaining: number;
}

export interface PoolCapacity {
  table: CounterCapacity;
  webhooks: Array<
    CounterCapacity & {
      index: number;
      key: string;
      retired: boolean;
      /** Refused by Clay as configured, in this process: nothing can be sent to it (remaining 0). */
      unusable: boolean;
    }
  >;
}

export interface WebhookPool {
  /** Counts one row against the table and the first webhook with room, or says why none can take it. */
  reserve(): Promise<PoolReservation>;
  /** Gives back a reservation of webhook `index` whose row provably never reached Clay. */
  release(index: number): Promise<void>;
  /**
   * Takes webhook `index` out of this process's pool, because Clay refuses it as
   * configured (`setting`: which of its settings is wrong); said once, as an error.
   */
  disable(index: number, setting: "url" | "authToken", reason: string): void;
  /** What is left, for `claypipe status`. */
  capacity(): Promise<PoolCapacity>;
}

/** The counter key for a webhook's submissions. */
export function webhookCounterKey(url: string): string {
  return `webhook:${createHash("sha256").update(url).digest("hex").slice(0, 32)}`;
}

/** The counter key for a table's rows. Renaming the table in the config starts a new count. */
export function tableCounterKey(workspace: string, table: string): string {
  return `table:${workspace}/${table}`;
}

export function createWebhookPool(options: WebhookPoolOptions): WebhookPool {
  const { table, counters, logger } = options;
  const tableKey = tableCounterKey(options.workspace, table.name);
  const tableLimit = table.rowLimit - table.capacityMargin;
  const webhooks = table.webhooks.map((webhook, index) => ({
    webhook,
    index,
    key: webhookCounterKey(webhook.url),
    limit: webhook.submissionLimit - table.capacityMargin,
  }));
  const where = `table "${table.name}" of workspace "${options.workspace}"`;
  // A webhook seen full stays retired: later reservations skip it (a count given back
  // after that only leaves a little room unused, which is the safe side).
  let firstOpen = 0;
  // Errors are logged once per pool; every refused reservation still gets the message.
  const reported = new Set<string>();
  const reportOnce = (reason: string, message: string) => {
    if (reported.has(reason)) return;
    reported.add(reason);
    logger?.error({ table: table.name, reason }, message);
  };

  // Webhooks Clay refused as configured, with the error said for each.
  const disabled = new Set<number>();

  const retire = (index: number) => {
    if (index < firstOpen) return;
    firstOpen = index + 1;
    const next = webhooks[firstOpen];
    const { webhook, limit } = webhooks[index]!;
    // Said in Clay's terms: the webhook stops short of Clay's cap by the margin, on purpose.
    const short =
      table.capacityMargin > 0
        ? `${table.capacityMargin} before Clay's cap of ${webhook.submissionLimit} (capacityMargin)`
        : `at Clay's cap of ${webhook.submissionLimit}`;
    logger?.warn(
      {
        table: table.name,
        webhook: index,
        submissions: limit,
        submissionLimit: webhook.submissionLimit,
        next: next ? next.index : null,
      },
      `webhook #${index} of ${where} retired after ${limit} submissions, ${short}; ` +
        (next ? `webhook #${next.index} takes over` : "no webhook is left"),
    );
  };

  return {
    async reserve() {
      let skipped = 0;
      for (const candidate of webhooks.slice(firstOpen)) {
        if (disabled.has(candidate.index)) {
          skipped += 1;
          continue;
        }
        const result = await counters.tryReserve([
          { key: tableKey, limit: tableLimit },
          { key: candidate.key, limit: candidate.limit },
        ]);
        if (result.ok) return { ok: true, webhook: candidate.webhook, index: candidate.index };
        if (result.exhaustedKey === tableKey) {
          const message =
            `${where} holds ${tableLimit} rows, Clay's limit of ${table.rowLimit} less the capacity margin of ${table.capacityMargin}: ` +
            "nothing more is sent, because Clay would drop further rows without a word. " +
            "Create a new table in Clay, add it under clay.workspaces[].tables in the config and point the sources " +
            "that send here at it (sources[].table): waiting leads follow them once claypipe runs with that config, " +
            "or move them with `claypipe leads requeue --table <name>` " +
            "(or, after deleting rows in Clay, raise this table's rowLimit accordingly).";
          reportOnce("table_full", message);
          return { ok: false, reason: "table_full", message };
        }
        retire(candidate.index);
      }
      if (skipped > 0) {
        const indexes = [...disabled].map((index) => `#${index}`).join(", ");
        const message =
          `no usable webhook source is left in ${where}: Clay refuses webhook ${indexes} as configured ` +
          "(see the error logged for each): fix its url or authToken in the config (or add a working webhook source " +
          `to the webhooks of table "${table.name}"); waiting leads resume once claypipe runs with that config.`;
        reportOnce("webhooks_unusable", message);
        return { ok: false, reason: "webhooks_unusable", message };
      }
      const message =
        `every webhook source of ${where} has used its submissions (${webhooks.length} of them, each retired ${table.capacityMargin} before its limit): ` +
        `add a new webhook source to the table in Clay and append its URL to the webhooks of table "${table.name}" in the config: ` +
        "waiting leads resume once claypipe runs with that config.";
      reportOnce("webhooks_exhausted", message);
      return { ok: false, reason: "webhooks_exhausted", message };
    },

    disable(index, setting, reason) {
      if (disabled.has(index) || !webhooks[index]) return;
      disabled.add(index);
      const next = webhooks.slice(firstOpen).find((entry) => !disabled.has(entry.index));
      logger?.error(
        { table: table.name, webhook: index, setting, next: next ? next.index : null },
        `webhook #${index} of ${where} is unusable: ${reason}. ` +
          `Fix clay.workspaces[].tables[].webhooks[${index}].${setting} in the config and restart; ` +
          (next
            ? `until then webhook #${next.index} takes over (nothing sent to #${index} was counted).`
            : "until then no webhook of this table is left and its leads wait (nothing sent to it was counted)."),
      );
    },

    async release(index) {
      const webhook = webhooks[index];
      if (webhook) await counters.release([tableKey, webhook.key]);
    },

    async capacity() {
      const describe = async (key: string, limit: number): Promise<CounterCapacity> => {
        const used = await counters.get(key);
        return { used, limit, remaining: Math.max(0, limit - used) };
      };
      const tableCapacity = await describe(tableKey, tableLimit);
      const webhookCapacities = await Promise.all(
        webhooks.map(async ({ index, key, limit }) => {
          const counted = await describe(key, limit);
          const unusable = disabled.has(index);
          return {
            ...counted,
            ...(unusable ? { remaining: 0 } : {}),
            index,
            key,
            retired: counted.remaining === 0,
            unusable,
          };
        }),
      );
      return { table: tableCapacity, webhooks: webhookCapacities };
    },
  };
}
