/**
 * The public API's read side: `POST /public/v0/tables/:tableId/rows/query` with header
 * `clay-api-key`. Rows come in creation order, at most 100 a page, with an opaque
 * cursor. Clay's exact path and body are unverified; this is the shape claypipe uses.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { systemClock } from "../core/clock.js";
import type { EmulatorContext } from "./emulator-context.js";
import type { TableState } from "./emulator-state.js";
import { sendError } from "./http-errors.js";
import { describeIssues } from "./spec-schema.js";
import type { EmulatorRow } from "./types.js";

export const PUBLIC_API_PREFIX = "/public/v0";
export const MAX_PAGE_SIZE = 100;

const querySchema = z
  .object({
    filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    limit: z.number().int().min(1).optional(),
    cursor: z.string().min(1).optional(),
  })
  .strict();

export function registerPublicApiRoute(app: FastifyInstance, context: EmulatorContext): void {
  app.post(`${PUBLIC_API_PREFIX}/tables/:tableId/rows/query`, async (request, reply) => {
    const now = systemClock.now();
    const outage = context.faults.outage(now);
    if (outage)
      return sendError(reply, outage.status, outage.code, outage.message, outage.retryAfterSeconds);

    const apiKey = request.headers["clay-api-key"];
    const workspace =
      typeof apiKey === "string" ? context.state.workspacesByApiKey.get(apiKey) : undefined;
    if (!workspace) {
      const problem = apiKey === undefined ? "is missing" : "matches no workspace";
      return sendError(reply, 401, "unauthorized", `Header clay-api-key ${problem}.`);
    }
    const { tableId } = request.params as { tableId: string };
    const table = context.state.tables.get(tableId);
    if (!table || table.workspace !== workspace) {
      return sendError(
        reply,
        404,
        "table_not_found",
        `Workspace "${workspace.spec.id}" has no table "${tableId}".`,
      );
    }
    const taken = workspace.publicApiBucket.tryTake(now);
    if (!taken.ok) {
      return sendError(
        reply,
        429,
        "rate_limited",
        "Too many public API requests for this workspace; retry after the Retry-After seconds.",
        taken.waitMs / 1000,
      );
    }
    if (workspace.credits.exhausted) {
      return sendError(
        reply,
        402,
        "credits_exhausted",
        `Workspace "${workspace.spec.id}" has reached its credit spend limit; raise the limit (or reset the emulator).`,
      );
    }

    const parsed = querySchema.safeParse(request.body ?? {});
    if (!parsed.success)
      return sendError(
        reply,
        400,
        "invalid_body",
        `The query body is invalid: ${describeIssues(parsed.error)}.`,
      );
    const { filter = {}, limit = MAX_PAGE_SIZE, cursor } = parsed.data;
    const start = cursor === undefined ? 0 : decodeCursor(cursor, table.spec.id);
    if (start === undefined) {
      return sendError(
        reply,
        400,
        "invalid_cursor",
        "The cursor is not one this table gave out; pass nextCursor from the previous page unchanged.",
      );
    }
    return reply.send(queryRows(table, filter, Math.min(limit, MAX_PAGE_SIZE), start));
  });
}

function queryRows(
  table: TableState,
  filter: Record<string, string | number | boolean>,
  limit: number,
  start: number,
): { rows: EmulatorRow[]; nextCursor: string | null } {
  const conditions = Object.entries(filter);
  const rows: EmulatorRow[] = [];
  for (let index = start; index < table.rows.length; index++) {
    const row = table.rows[index]!;
    if (!conditions.every(([field, value]) => row.fields[field] === value)) continue;
    // One match past the page means there is a next page, and it starts there.
    if (rows.length === limit) return { rows, nextCursor: encodeCursor(table.spec.id, index) };
    rows.push(row);
  }
  return { rows, nextCursor: null };
}

function encodeCursor(tableId: string, index: number): string {
  return Buffer.from(JSON.stringify({ t: tableId, i: index })).toString("base64url");
}

function decodeCursor(cursor: string, tableId: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      t?: unknown;
      i?: unknown;
    };
    return decoded.t === tableId && Number.isSafeInteger(decoded.i) && (decoded.i as number) >= 0
      ? (decoded.i as number)
      : undefined;
  } catch {
    return undefined;
  }
}
