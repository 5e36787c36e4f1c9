/**
 * "Clay as a synchronous call" for the direct tier: polls the public API until
 * the row for a claypipe id is enriched. A lead Clay deduplicated never gets a
 * row of its own, so after the first empty look it also looks by email and
 * takes the oldest row (the one Clay kept). Without a claypipe id (a repeat
 * claypipe did not send again) it looks by email from the start.
 */
import type { PublicApiClient, PublicApiRow } from "../../clay/public-api-client.js";
import type { Clock } from "../../core/clock.js";
import { ClaypipeError } from "../../core/errors.js";

const FINISHED = new Set(["enriched", "not_found"]);

export interface WaitForRowOptions {
  client: PublicApiClient;
  tableId: string;
  claypipeId?: string;
  email?: string;
  timeoutMs: number;
  /** @defaultValue 2000 */
  pollEveryMs?: number;
  clock: Clock;
  signal?: AbortSignal;
}

export async function waitForRow(options: WaitForRowOptions): Promise<PublicApiRow> {
  const deadline = options.clock.now() + options.timeoutMs;
  let lastSeen: PublicApiRow | undefined;
  for (let look = 0; ; look++) {
    const row = await findRow(options, look > 0);
    if (row && FINISHED.has(row.status)) return row;
    lastSeen = row ?? lastSeen;
    if (options.clock.now() >= deadline) break;
    await options.clock.sleep(
      Math.min(options.pollEveryMs ?? 2000, Math.max(0, deadline - options.clock.now())),
      options.signal,
    );
  }
  throw new ClaypipeError(
    "timeout",
    lastSeen
      ? `the row is in Clay (status "${lastSeen.status}") but was not enriched within ${Math.round(options.timeoutMs / 1000)}s`
      : `no row for this lead appeared in table ${options.tableId} within ${Math.round(options.timeoutMs / 1000)}s`,
    {
      hint: lastSeen
        ? "check the table's enrichment columns run automatically and the workspace has credits left; or wait longer with --timeout"
        : "check table.id matches the table behind the webhook, or wait longer with --timeout",
    },
  );
}

async function findRow(
  options: WaitForRowOptions,
  alsoByEmail: boolean,
): Promise<PublicApiRow | undefined> {
  const { client, tableId, signal } = options;
  if (options.claypipeId === undefined) {
    if (!options.email) return undefined;
    const byEmail = await client.queryRows(
      tableId,
      { filter: { email: options.email }, limit: 1 },
      signal,
    );
    return byEmail.rows[0];
  }
  const own = await client.queryRows(
    tableId,
    { filter: { claypipe_id: options.claypipeId }, limit: 1 },
    signal,
  );
  if (own.rows[0] || !alsoByEmail || !options.email) return own.rows[0];
  const byEmail = await client.queryRows(
    tableId,
    { filter: { email: options.email }, limit: 1 },
    signal,
  );
  return byEmail.rows[0];
}
