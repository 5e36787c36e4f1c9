import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { answerForError } from "../../src/server/error-handler.js";

const context = { bodyLimit: 2048, requestId: "req-42" };
const fastifyError = (code: string, statusCode: number, message = "x") =>
  Object.assign(new Error(message), { code, statusCode });

describe("answerForError", () => {
  it("maps ClaypipeErrors by code, keeping their message and hint", () => {
    const cases: Array<[ConstructorParameters<typeof ClaypipeError>[0], number]> = [
      ["input_invalid", 422],
      ["input_unreadable", 400],
      ["payload_too_large", 413],
      ["callback_token_invalid", 401],
      ["state_unavailable", 503],
      ["timeout", 504],
    ];
    for (const [code, status] of cases) {
      const answer = answerForError(
        new ClaypipeError(code, "what happened", { hint: "what to do" }),
        context,
      );
      expect(answer).toEqual({
        status,
        problem: { error: code, message: "what happened", hint: "what to do" },
        unexpected: status >= 500,
      });
    }
  });

  it("gives a ClaypipeError without a hint a default one", () => {
    const answer = answerForError(new ClaypipeError("input_invalid", "bad cursor"), context);
    expect(answer.problem.hint).toMatch(/Fix the request/);
  });

  it("maps Fastify's body errors to 415 and 413 with what to fix", () => {
    expect(
      answerForError(fastifyError("FST_ERR_CTP_INVALID_MEDIA_TYPE", 415), context),
    ).toMatchObject({
      status: 415,
      problem: {
        error: "unsupported_media_type",
        hint: expect.stringContaining("application/json"),
      },
    });
    expect(answerForError(fastifyError("FST_ERR_CTP_BODY_TOO_LARGE", 413), context)).toMatchObject({
      status: 413,
      problem: { error: "body_too_large", message: expect.stringContaining("2048 bytes") },
    });
    expect(
      answerForError(fastifyError("FST_ERR_SOMETHING", 400, "Bad header"), context),
    ).toMatchObject({
      status: 400,
      problem: { error: "bad_request", message: "Bad header" },
      unexpected: false,
    });
  });

  it("hides anything unknown behind a generic 500 that names the request id", () => {
    for (const thrown of [
      new TypeError("secret detail"),
      "a string",
      new ClaypipeError("config_invalid", "secret detail"),
    ]) {
      const answer = answerForError(thrown, context);
      expect(answer.status).toBe(500);
      expect(answer.unexpected).toBe(true);
      expect(answer.problem).toMatchObject({ error: "internal_error", requestId: "req-42" });
      expect(JSON.stringify(answer.problem)).not.toContain("secret detail");
      expect(answer.problem.hint).toContain("req-42");
    }
  });
});
