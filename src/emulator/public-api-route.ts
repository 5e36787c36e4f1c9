/**
 * The public API's read side, with header `clay-api-key`: `GET /public/v0/me` (the key's
 * user and workspace) and `POST /public/v0/tables/:tableId/rows/query` (rows in creation
 * order, at most 100 a page, with an opaque cursor). Each workspace has its own public API
 * rate, far below the webhook rate, answered past it with 429 and `Retry-After`. Clay's
 * exact paths and bodies are unverified; these are the shapes claypipe uses.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { systemClock } from "../core/clock.js";
import type { EmulatorContext } from "./emulator-context.js";
import type { TableState, WorkspaceState } from "./emulator-state.js";
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
  app.get(`${PUBLIC_API_PREFIX}/me`, async (request, reply) => {
    const workspace = admit(request, reply, context);
    if (!workspace) return reply;
    workspace.publicApiCalls.answered++;
    return reply.send({
      user: { id: `u_${workspace.spec.id}`, name: "Emulator user" },
      workspace: { id: workspace.spec.id, name: workspace.spec.id },
    });
  });

  app.post(`${PUBLIC_API_PREFIX}/tables/:tableId/rows/query`, async (request, reply) => {
    const workspace = admit(request, reply, context);
    if (!workspace) return reply;
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
    workspace.publicApiCalls.answered++;
    return reply.send(queryRows(table, filter, Math.min(limit, MAX_PAGE_SIZE), start));
  });
}

/**
 * What every public API call passes first: an outage, the key (header `clay-api-key`; a
 * `Bearer` header is not Clay's way and gets 401), a rate-limit storm, and the workspace's
 * public API rate.
 * Undefined when the reply has been sent.
 */
function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  context: EmulatorContext,
): WorkspaceState | undefined {
  const now = systemClock.now();
  const outage = context.faults.outage(now);
  if (outage) {
    sendError(reply, outage.status, outage.code, outage.message, outage.retryAfterSeconds);
    return undefined;
  }
  const apiKey = request.headers["clay-api-key"];
  const workspace =
    typeof apiKey === "string" ? context.state.workspacesByApiKey.get(apiKey) : undefined;
  if (!workspace) {
    const problem =
      apiKey !== undefined
        ? "matches no workspace"
        : request.headers.authorization !== undefined
          ? "is missing (the public API takes its key there, not as Authorization: Bearer)"
          : "is missing";
    sendError(reply, 401, "unauthorized", `Header clay-api-key ${problem}.`);
    return undefined;
  }
  const storm = context.faults.publicApiStorm(now);
  if (storm) {
    workspace.publicApiCalls.rateLimited++;
    sendError(reply, storm.status, storm.code, storm.message, storm.retryAfterSeconds);
    return undefined;
  }
  const taken = workspace.publicApiBucket.tryTake(now);
  if (!taken.ok) {
    workspace.publicApiCalls.rateLimited++;
    sendError(
      reply,
      429,
      "rate_limited",
      "Too many public API requests for this workspace; retry after the Retry-After seconds.",
      taken.waitMs / 1000,
    );
    return undefined;
  }
  return workspace;
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
