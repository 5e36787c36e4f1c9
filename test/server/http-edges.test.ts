/**
 * The server's edges, through app.inject: auth, content types, body limits,
 * JSON errors, unknown routes and what gets logged. A real pipeline sits
 * behind it (not started: none of these requests reach its loops).
 */

import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../../src/server/create-server.js";
import { API_KEY, type Harness, lead, startHarness } from "./server-harness.js";

let harness: Harness;
const auth = { authorization: `Bearer ${API_KEY}` };
const json = { "content-type": "application/json" };

beforeAll(async () => {
  harness = await startHarness({ start: false });
});
afterAll(() => harness.close());

const inject = (options: InjectOptions) => harness.server.app.inject(options);

function expectProblem(response: LightMyRequestResponse, status: number, error: string) {
  expect(response.statusCode).toBe(status);
  const body = response.json();
  expect(body.error).toBe(error);
  expect(body.message).toEqual(expect.any(String));
  expect(body.hint).toEqual(expect.any(String));
  return body;
}

describe("health", () => {
  it("answers /healthz and /readyz without a key", async () => {
    expect((await inject({ method: "GET", url: "/healthz" })).json()).toEqual({ ok: true });
    const ready = await inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
  });

  it("tags every answer with a request id", async () => {
    const response = await inject({ method: "GET", url: "/healthz" });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("Bearer auth", () => {
  const guarded = [
    { method: "POST" as const, url: "/v1/leads", payload: lead(1) },
    { method: "GET" as const, url: "/v1/leads/some-id" },
    { method: "GET" as const, url: "/v1/dlq" },
    { method: "GET" as const, url: "/v1/dlq/some-id" },
    { method: "POST" as const, url: "/v1/dlq/replay", payload: { reason: "x" } },
    { method: "POST" as const, url: "/v1/dlq/purge", payload: { reason: "x" } },
    { method: "GET" as const, url: "/v1/status" },
  ];

  it("answers 401 with a hint when the key is missing or wrong, on every guarded route", async () => {
    for (const route of guarded) {
      const missing = await inject(route);
      expect(expectProblem(missing, 401, "unauthorized").message).toMatch(/No API key/);
      expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
      const wrong = await inject({
        ...route,
        headers: { authorization: "Bearer wrong-key-0123456789" },
      });
      expect(expectProblem(wrong, 401, "unauthorized").hint).toMatch(/Authorization: Bearer/);
    }
  });

  it("checks the key before reading the body", async () => {
    const response = await inject({
      method: "POST",
      url: "/v1/leads",
      headers: json,
      payload: "{not json",
    });
    expectProblem(response, 401, "unauthorized");
  });

  it("answers 503 saying to set server.apiKeys when none are configured", async () => {
    const keyless = createServer({
      pipeline: harness.pipeline,
      config: { ...harness.config, server: { ...harness.config.server, apiKeys: [] } },
    });
    try {
      for (const route of guarded) {
        const response = await keyless.app.inject({ ...route, headers: auth });
        expect(expectProblem(response, 503, "api_disabled").hint).toMatch(/server\.apiKeys/);
      }
      expect((await keyless.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await keyless.close();
    }
  });
});

describe("request bodies", () => {
  it("answers 415 for anything but JSON on intake", async () => {
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/xml",
    ]) {
      const response = await inject({
        method: "POST",
        url: "/v1/leads",
        headers: { ...auth, "content-type": contentType },
        payload: JSON.stringify(lead(1)),
      });
      expect(expectProblem(response, 415, "unsupported_media_type").hint).toMatch(
        /application\/json/,
      );
    }
  });

  it("answers 400 with the reason for invalid, empty and poisoned JSON", async () => {
    const post = (payload: string) =>
      inject({ method: "POST", url: "/v1/leads", headers: { ...auth, ...json }, payload });
    expect(
      expectProblem(await post('{"email": "a@b.co",}'), 400, "input_unreadable").message,
    ).toMatch(/not valid JSON/);
    expect(expectProblem(await post(""), 400, "input_unreadable").message).toMatch(/empty/);
    expect(
      expectProblem(await post('{"__proto__": {"x": 1}}'), 400, "input_unreadable").message,
    ).toMatch(/__proto__/);
    expect(
      expectProblem(await post("[".repeat(1500) + "]".repeat(1500)), 400, "input_unreadable")
        .message,
    ).toMatch(/nested deeper/);
  });

  it("answers 413 with the limit for a body over server.bodyLimit", async () => {
    const payload = JSON.stringify(lead(1, { notes: "x".repeat(harness.config.server.bodyLimit) }));
    const response = await inject({
      method: "POST",
      url: "/v1/leads",
      headers: { ...auth, ...json },
      payload,
    });
    expect(expectProblem(response, 413, "body_too_large").message).toContain(
      `${harness.config.server.bodyLimit} bytes`,
    );
  });

  it("answers 413 with the limit for a batch over server.maxBatch, and 400 for shapes that are not leads", async () => {
    const tooMany = Array.from({ length: harness.config.server.maxBatch + 1 }, (_, n) => lead(n));
    const response = await inject({
      method: "POST",
      url: "/v1/leads",
      headers: auth,
      payload: tooMany,
    });
    expect(expectProblem(response, 413, "too_many_leads").message).toMatch(
      /limit is 5 per request/,
    );
    expectProblem(
      await inject({
        method: "POST",
        url: "/v1/leads",
        headers: { ...auth, ...json },
        payload: "42",
      }),
      400,
      "invalid_body",
    );
    expectProblem(
      await inject({
        method: "POST",
        url: "/v1/leads?source=nope",
        headers: auth,
        payload: lead(1),
      }),
      400,
      "unknown_source",
    );
  });
});

describe("callback route", () => {
  const token = `${"a".repeat(120)}.${"b".repeat(43)}`;

  it("takes tokens longer than Fastify's default parameter limit and lets the pipeline judge them", async () => {
    const response = await inject({
      method: "POST",
      url: `/v1/callbacks/clay/${token}`,
      headers: json,
      payload: { a: 1 },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: "unauthorized", reason: "malformed" });
  });

  it("needs no API key, reads JSON whatever the content type, and refuses a body that is not an object", async () => {
    const plain = await inject({
      method: "POST",
      url: `/v1/callbacks/clay/${token}`,
      headers: { "content-type": "text/plain" },
      payload: '{"email":"a@b.co"}',
    });
    expect(plain.statusCode).toBe(401);
    for (const payload of ["[1,2]", "null", '"row"', "7"]) {
      const response = await inject({
        method: "POST",
        url: `/v1/callbacks/clay/${token}`,
        headers: json,
        payload,
      });
      expect(expectProblem(response, 400, "invalid_callback_body").hint).toMatch(/HTTP API column/);
    }
    const empty = await inject({ method: "POST", url: `/v1/callbacks/clay/${token}` });
    expectProblem(empty, 400, "invalid_callback_body");
  });

  it("allows callback bodies up to 1 MiB, past server.bodyLimit, and no more", async () => {
    const big = JSON.stringify({ notes: "y".repeat(500_000) });
    const response = await inject({
      method: "POST",
      url: `/v1/callbacks/clay/${token}`,
      headers: json,
      payload: big,
    });
    expect(response.statusCode).toBe(401);
    const huge = JSON.stringify({ notes: "y".repeat(1_100_000) });
    const tooBig = await inject({
      method: "POST",
      url: `/v1/callbacks/clay/${token}`,
      headers: json,
      payload: huge,
    });
    expect(expectProblem(tooBig, 413, "body_too_large").message).toContain("1048576 bytes");
  });

  it("logs the route pattern, never the token or the body", async () => {
    const secretBody = { email: "private-person@example.com" };
    await inject({
      method: "POST",
      url: `/v1/callbacks/clay/${token}`,
      headers: json,
      payload: secretBody,
    });
    const text = JSON.stringify(harness.logs);
    expect(text).toContain("/v1/callbacks/clay/:token");
    expect(text).not.toContain(token.slice(0, 40));
    expect(text).not.toContain("private-person");
  });
});

it("answers unknown routes with 404 and a list of the API", async () => {
  const response = await inject({ method: "GET", url: "/v2/nothing?x=1" });
  expect(expectProblem(response, 404, "route_not_found").message).toContain("GET /v2/nothing");
});
