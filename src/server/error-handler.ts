/**
 * One place that turns anything thrown while handling a request into an
 * answer: ClaypipeErrors by their code, Fastify's own errors (bad content type,
 * body too large) by theirs, and anything else into a 500 with a generic
 * message, the details going to the log under the request id.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { echoInput } from "../core/echo-input.js";
import { ClaypipeError, type ErrorCode } from "../core/errors.js";
import type { Logger } from "../logging/create-logger.js";
import { PROBLEM_TEXT_MAX, type Problem, sendProblem } from "./problem.js";
import { routeOf } from "./request-logging.js";

export interface ErrorAnswer {
  status: number;
  problem: Problem;
  /** A fault on our side: log it with its stack. */
  unexpected: boolean;
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  input_invalid: 422,
  input_unreadable: 400,
  unsupported_charset: 415,
  payload_too_large: 413,
  callback_token_invalid: 401,
  capacity_exhausted: 503,
  state_unavailable: 503,
  clay_unavailable: 503,
  clay_rejected: 502,
  timeout: 504,
  aborted: 503,
};

/** What to answer for `error`; `bodyLimit` is the route's limit in bytes, for the 413 message. */
export function answerForError(
  error: unknown,
  context: { bodyLimit: number; requestId: string },
): ErrorAnswer {
  if (error instanceof ClaypipeError) {
    const status = STATUS_BY_CODE[error.code];
    if (status !== undefined) {
      return {
        status,
        problem: {
          error: error.code,
          message: error.message,
          hint: error.hint ?? defaultHint(status),
        },
        unexpected: status >= 500,
      };
    }
  }
  const fastifyAnswer = answerForFastifyError(error as Partial<FastifyError>, context.bodyLimit);
  if (fastifyAnswer) return fastifyAnswer;
  return {
    status: 500,
    problem: {
      error: "internal_error",
      message: "Something went wrong on the server; the request may not have been carried out.",
      hint: `Try again; if it keeps failing, look for request ${context.requestId} in the server log.`,
      requestId: context.requestId,
    },
    unexpected: true,
  };
}

function answerForFastifyError(
  error: Partial<FastifyError>,
  bodyLimit: number,
): ErrorAnswer | undefined {
  const answer = (status: number, code: string, message: string, hint: string): ErrorAnswer => ({
    status,
    problem: { error: code, message, hint },
    unexpected: false,
  });
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return answer(
        415,
        "unsupported_media_type",
        "The body's content type is not accepted here.",
        "Send JSON with the header `Content-Type: application/json`.",
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return answer(
        413,
        "body_too_large",
        `The body is over this route's limit of ${bodyLimit} bytes.`,
        "Send fewer leads per request, or raise server.bodyLimit.",
      );
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return answer(
        400,
        "invalid_content_length",
        "The Content-Length header does not match the body.",
        "Let your HTTP client set Content-Length.",
      );
    // Fastify's own messages for these two repeat the URL: ours do not.
    case "FST_ERR_MAX_PARAM_LENGTH":
      return answer(
        414,
        "uri_too_long",
        "A part of the URL is longer than this server takes.",
        "Use the paths the API documents; a callback URL goes to claypipe whole, as claypipe wrote it.",
      );
    case "FST_ERR_BAD_URL":
      return answer(
        400,
        "bad_url",
        "The URL holds a %-escape that is not valid UTF-8.",
        "Percent-encode each part of the URL (e.g. with encodeURIComponent).",
      );
  }
  // Other client errors Fastify raises (malformed requests) keep their status and message.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return answer(
      error.statusCode,
      "bad_request",
      echoInput(error.message ?? "The request is malformed.", PROBLEM_TEXT_MAX),
      defaultHint(error.statusCode),
    );
  }
  return undefined;
}

function defaultHint(status: number): string {
  if (status >= 500) return "Try again later; if it keeps failing, check the server log.";
  return "Fix the request as the message says and send it again.";
}

export function useErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request: FastifyRequest, reply) => {
    const answer = answerForError(error, {
      bodyLimit: request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0,
      requestId: request.id,
    });
    if (answer.unexpected) {
      // The route pattern, never the URL: callback URLs carry their token.
      logger.error({ reqId: request.id, route: routeOf(request), err: error }, "request failed");
    }
    if (answer.status === 503 && !reply.hasHeader("retry-after")) reply.header("retry-after", "5");
    return sendProblem(reply, answer.status, answer.problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, {
      error: "route_not_found",
      message: `No route for ${request.method} ${echoInput(request.url.split("?")[0] ?? "")}.`,
      hint: "The API has POST /v1/leads, GET /v1/leads/:id, POST /v1/forms/:formId, POST /v1/hubspot/:source, POST /v1/events/:source, /v1/dlq…, GET /v1/status, GET /healthz, GET /readyz and GET /metrics.",
    }),
  );
}
