/**
 * The webhook source: `POST /v3/sources/webhook/pull-in-data-from-a-webhook-<uuid>`.
 * Checks run in Clay's order; the ones that need no body (unknown webhook, faults, auth,
 * the workspace rate limit) run before the body is read, as a real server would.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { systemClock } from "../core/clock.js";
import type { EmulatorContext } from "./emulator-context.js";
import type { WebhookState } from "./emulator-state.js";
import { sendError } from "./http-errors.js";
import { intakeRecords } from "./row-intake.js";

const SOURCE_PREFIX = "pull-in-data-from-a-webhook-";
export const WEBHOOK_PATH_PREFIX = `/v3/sources/webhook/${SOURCE_PREFIX}`;
/** Clay's payload limit: 100 KB. */
export const WEBHOOK_BODY_LIMIT = 102_400;

export function registerWebhookRoute(app: FastifyInstance, context: EmulatorContext): void {
  const webhookOf = new WeakMap<FastifyRequest, WebhookState>();

  app.register(async (scope) => {
    // The body is read raw so size and JSON errors get Clay's statuses, whatever the content type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    scope.setErrorHandler(
      (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
        const webhook = webhookOf.get(request);
        if (webhook) webhook.table.workspace.requests.rejected++;
        if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          return sendError(
            reply,
            413,
            "payload_too_large",
            "The body is over Clay's 100 KB (102,400 bytes) limit; send fewer or smaller records per request.",
          );
        }
        const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
        return sendError(reply, status, error.code ?? "internal_error", error.message);
      },
    );

    scope.addHook("onRequest", async (request, reply) => {
      const latencyMs = context.faults.latencyMs;
      if (latencyMs > 0) await context.requestWork.sleep(latencyMs);

      const source = (request.params as { source?: string }).source ?? "";
      const webhook = source.startsWith(SOURCE_PREFIX)
        ? context.state.webhooks.get(source.slice(SOURCE_PREFIX.length))
        : undefined;
      if (!webhook) {
        return sendError(
          reply,
          404,
          "webhook_not_found",
          `No webhook source "${source}" exists in this emulator; check the URL against webhookUrl() or GET /_emulator/state.`,
        );
      }
      webhookOf.set(request, webhook);
      const workspace = webhook.table.workspace;
      const now = systemClock.now();

      const fault = context.faults.webhookFault(now, context.random);
      if (fault) {
        workspace.requests.faulted++;
        return sendError(reply, fault.status, fault.code, fault.message, fault.retryAfterSeconds);
      }

      const token = webhook.spec.authToken;
      if (token !== undefined && request.headers["x-clay-webhook-auth"] !== token) {
        workspace.requests.rejected++;
        const problem =
          request.headers["x-clay-webhook-auth"] === undefined ? "is missing" : "is wrong";
        return sendError(
          reply,
          401,
          "unauthorized",
          `This webhook requires an auth token: header x-clay-webhook-auth ${problem}.`,
        );
      }

      // One token per request, not per record: the count is unknown before the body is
      // read, and claypipe sends one record per request.
      const taken = workspace.webhookBucket.tryTake(now);
      if (!taken.ok) {
        workspace.requests.rateLimited++;
        const { perSecond, burst } = workspace.spec.rateLimit;
        return sendError(
          reply,
          429,
          "rate_limited",
          `Workspace "${workspace.spec.id}" accepts ${perSecond} webhook requests per second (bursts of ${burst}); slow down and retry after the Retry-After seconds.`,
          taken.waitMs / 1000,
        );
      }
      return undefined;
    });

    scope.post("/v3/sources/webhook/:source", async (request, reply) => {
      const webhook = webhookOf.get(request)!;
      const workspace = webhook.table.workspace;
      const records = parseRecords(request.body);
      if (typeof records === "string") {
        workspace.requests.rejected++;
        return sendError(reply, 400, "invalid_body", records);
      }
      const result = intakeRecords(context, webhook, records);
      if (!result.ok) {
        workspace.requests.rejected++;
        // Clay documents the 50,000-submission lifetime limit but not the status it answers
        // past it; 403 is the emulator's choice, so clients must not rely on it.
        return sendError(
          reply,
          403,
          "submission_limit_reached",
          `Webhook ${webhook.spec.uuid} has ${result.remainingSubmissions} of its ${webhook.spec.submissionLimit} lifetime submissions left and this request has ${records.length} records; create a new webhook source for the table.`,
        );
      }
      workspace.requests.accepted++;
      return reply.code(200).send({ status: "accepted", records: records.length });
    });
  });
}

/** The records in a body, or what is wrong with it. */
function parseRecords(body: unknown): Array<Record<string, unknown>> | string {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    return "The body is empty; send a JSON object (one row) or an array of objects.";
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return `The body is not valid JSON (${(error as Error).message}).`;
  }
  const isRecord = (value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (isRecord(parsed)) return [parsed as Record<string, unknown>];
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return "The body is an empty array; send at least one object.";
    const bad = parsed.findIndex((item) => !isRecord(item));
    if (bad === -1) return parsed as Array<Record<string, unknown>>;
    return `Element ${bad} of the array is not a JSON object; every element must be one row as an object.`;
  }
  return "The body must be a JSON object (one row) or an array of objects, not a bare value.";
}
