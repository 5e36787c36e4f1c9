/** Reads every row of a Clay table through the public API, page by page (≤100 a page). */
import type { PublicApiClient, PublicApiRow } from "../../clay/public-api-client.js";

export async function readTable(
  client: PublicApiClient,
  tableId: string,
  signal?: AbortSignal,
): Promise<PublicApiRow[]> {
  const rows: PublicApiRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.queryRows(
      tableId,
      { limit: 100, ...(cursor ? { cursor } : {}) },
      signal,
    );
    rows.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}
