/**
 * What error answers give back of a request: every answer keeps the
 * `{ error, message, hint }` shape, echoes of client input stay short whatever
 * was sent, bodies are read only in the charset they are written in, and no
 * number is silently changed on the way in.
 */
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { API_KEY, type Harness, startHarness } from "./server-harness.js";

let harness: Harness;
const auth = { authorization: `Bearer ${API_KEY}` };
const json = { "content-type": "application/json" };

beforeAll(async () => {
  harness = await startHarness({ start: false, server: { bodyLimit: 65_536 } });
});
afterAll(() => harness.close());

const inject = (options: InjectOptions) => harness.server.app.inject(options);

function problemOf(response: { statusCode: number; body: string }, status: number) {
  expect(response.statusCode).toBe(status);
  const body = JSON.parse(response.body);
  expect(body).toEqual(
    expect.objectContaining({
      error: expect.any(String),
      message: expect.any(String),
      hint: expect.any(String),
    }),
  );
  return body;
}

it("echoes a 10,000-character field name, source or path only in part", async () => {
  const long = "x".repeat(10_000);
  const invalid = await inject({
    method: "POST",
    url: "/v1/leads",
    headers: { ...auth, ...json },
    payload: { email: "ada@acme.example", [long]: { nested: true } },
  });
  const body = problemOf(invalid, 422);
  expect(body.leads[0].issues[0].path).toMatch(/^x{20,}…$/);
  expect(invalid.body.length).toBeLessThan(1000);

  const source = await inject({
    method: "POST",
    url: `/v1/leads?source=${long}`,
    headers: { ...auth, ...json },
    payload: { email: "ada@acme.example" },
  });
  expect(problemOf(source, 400).error).toBe("unknown_source");
  expect(source.body.length).toBeLessThan(1000);

  const unknown = await inject({ method: "GET", url: `/v2/${long}` });
  expect(problemOf(unknown, 404).message).toContain("/v2/xxx");
  expect(unknown.body.length).toBeLessThan(1000);
});

it("answers a URL too long or badly escaped in the same shape, without echoing it", async () => {
  const long = "y".repeat(3000);
  const tooLong = await inject({ method: "GET", url: `/v1/leads/${long}`, headers: auth });
  expect(problemOf(tooLong, 414).error).toBe("uri_too_long");
  expect(tooLong.body).not.toContain("yyyy");

  const badEscape = await inject({ method: "GET", url: "/v1/leads/%E0%A4%Aqq", headers: auth });
  expect(problemOf(badEscape, 400).error).toBe("bad_url");
  expect(badEscape.body).not.toContain("%E0");
});

it("refuses a body in a charset other than UTF-8 with 415, on every route that reads one", async () => {
  const lead = JSON.stringify({ email: "ada@acme.example" });
  for (const url of ["/v1/leads", `/v1/callbacks/clay/${"a".repeat(40)}`]) {
    const utf16 = await inject({
      method: "POST",
      url,
      headers: { ...auth, "content-type": "application/json; charset=utf-16" },
      payload: Buffer.from(lead, "utf16le"),
    });
    const body = problemOf(utf16, 415);
    expect(body.error).toBe("unsupported_charset");
    expect(body.message).toContain("utf-16");
  }
  const utf8 = await inject({
    method: "POST",
    url: "/v1/leads",
    headers: { ...auth, "content-type": 'application/json; charset="UTF-8"' },
    payload: lead,
  });
  expect(utf8.statusCode).toBe(202);
});

it("refuses a number beyond what JSON numbers hold instead of storing it as null", async () => {
  const callback = await inject({
    method: "POST",
    url: `/v1/callbacks/clay/${"a".repeat(40)}`,
    headers: json,
    payload: '{"email":"ada@acme.example","revenue":{"usd":1e400}}',
  });
  const body = problemOf(callback, 400);
  expect(body.error).toBe("input_unreadable");
  expect(body.message).toContain("revenue.usd");
  expect(body.hint).toMatch(/string/);

  const leads = await inject({
    method: "POST",
    url: "/v1/leads",
    headers: { ...auth, ...json },
    payload: '[{"email":"ada@acme.example","score":-1e400}]',
  });
  expect(problemOf(leads, 400).message).toContain("0.score");
});
