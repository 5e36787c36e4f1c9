/**
 * The HTTP API column: sends an enriched row to the URL in its url column, under the
 * column's own rate limit, timeout and retry settings, with the callback faults applied.
 * Clay cannot sign these requests; it sends only the static headers it was given.
 */
import { coerceError } from "../core/errors.js";
import { type EmulatorContext, realMs } from "./emulator-context.js";
import type { TableState } from "./emulator-state.js";
import type { ResolvedHttpApiColumn } from "./spec-schema.js";
import type { EmulatorRow } from "./types.js";

/** Clay-time wait before the first retry; it doubles on each one. Clay's own value is unverified. */
export const CALLBACK_RETRY_BACKOFF_MS = 5_000;

/** The URL the column would call for this row, or undefined when it does not run ("Only run if" the cell is non-blank). */
export function callbackUrlOf(table: TableState, row: EmulatorRow): string | undefined {
  const column = table.spec.httpApiColumn;
  if (!column) return undefined;
  const value = row.fields[column.urlColumn];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Starts the column's run for one row in the background. */
export function runHttpApiColumn(
  context: EmulatorContext,
  table: TableState,
  row: EmulatorRow,
  url: string,
): void {
  const column = table.spec.httpApiColumn;
  if (!column) return;
  const plan = context.faults.callbackPlan(context.random);
  if (plan.lost) {
    context.state.callbacks.lost++;
    return;
  }
  const body = JSON.stringify({ ...row.fields, clay_row_id: row.id });
  const { work } = context;
  const epoch = work.epoch;
  work.run(async () => {
    if (plan.holdMs > 0 && !(await work.sleep(realMs(context, plan.holdMs)))) return;
    await deliver(context, table, column, url, body, epoch);
    if (plan.duplicate && work.epoch === epoch) {
      context.state.callbacks.duplicated++;
      await deliver(context, table, column, url, body, epoch);
    }
  });
}

/** One delivery: tries, and retries what the column is set to retry, until it succeeds or gives up. */
async function deliver(
  context: EmulatorContext,
  table: TableState,
  column: ResolvedHttpApiColumn,
  url: string,
  body: string,
  epoch: number,
): Promise<void> {
  const { work } = context;
  const stillCurrent = () => work.epoch === epoch;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    context.state.callbacks.failed++;
    context.logger.warn(
      { tableId: table.spec.id, url },
      "HTTP API column skipped a row: not an http(s) URL",
    );
    return;
  }
  for (let retries = 0; ; retries++) {
    if (!(await table.callbackQueue!.take()) || !stillCurrent()) return;
    context.state.callbacks.attempted++;
    const result = await send(context, column, url, body);
    if (!stillCurrent()) return;
    if (typeof result === "number" && result >= 200 && result < 300) {
      context.state.callbacks.delivered++;
      return;
    }
    const retryable = typeof result !== "number" || column.retryStatuses.includes(result);
    if (!retryable || retries >= column.maxRetries) {
      context.state.callbacks.failed++;
      context.logger.warn(
        {
          tableId: table.spec.id,
          url,
          result: typeof result === "number" ? result : result.message,
          retries,
        },
        "HTTP API column gave up on a callback",
      );
      return;
    }
    context.state.callbacks.retried++;
    if (!(await work.sleep(realMs(context, CALLBACK_RETRY_BACKOFF_MS * 2 ** retries)))) return;
  }
}

/** The response status, or the error when no response came (network error, timeout, cancel). */
async function send(
  context: EmulatorContext,
  column: ResolvedHttpApiColumn,
  url: string,
  body: string,
): Promise<number | Error> {
  const controller = context.work.abortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no response within ${column.timeoutMs} ms`)),
    column.timeoutMs,
  );
  try {
    const response = await fetch(url, {
      method: column.method,
      headers: { ...column.headers, "content-type": "application/json" },
      body,
      signal: controller.signal,
    });
    // Read the body so the connection goes back to the pool.
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return coerceError(controller.signal.aborted ? controller.signal.reason : error);
  } finally {
    clearTimeout(timer);
    context.work.release(controller);
  }
}
