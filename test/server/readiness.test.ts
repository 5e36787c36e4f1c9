/**
 * When the pipeline cannot read its status (here: its store is closed),
 * /readyz answers 503, /metrics still serves the request series with
 * claypipe_status_up 0, and /healthz still answers: the process runs.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ start: false });
});
afterAll(() => harness.close());

it("answers 503 on /readyz and status_up 0 on /metrics once the store is gone", async () => {
  expect((await harness.request("GET", "/readyz")).status).toBe(200);
  await harness.pipeline.stop();

  const ready = await harness.request("GET", "/readyz");
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ error: "not_ready", hint: expect.any(String) });
  expect(ready.headers.get("retry-after")).toBeNull();

  const metrics = await harness.request("GET", "/metrics");
  expect(metrics.status).toBe(200);
  expect(metrics.text).toContain("claypipe_status_up 0");
  expect(metrics.text).toContain(
    'claypipe_http_requests_total{method="GET",route="/readyz",status="503"} 1',
  );
  expect(metrics.text).not.toContain("claypipe_leads{");

  expect((await harness.request("GET", "/healthz")).status).toBe(200);
  expect(harness.logs.some((line) => line.msg.includes("not ready"))).toBe(true);
});

it("turns a failure inside a route into a 5xx with a request id, logged under that id", async () => {
  const answer = await harness.request("GET", "/v1/status");
  expect(answer.status).toBe(500);
  expect(answer.body).toMatchObject({ error: "internal_error", requestId: expect.any(String) });
  expect(answer.body.hint).toContain(answer.body.requestId);
  const logged = harness.logs.find(
    (line) => line.reqId === answer.body.requestId && line.msg === "request failed",
  );
  expect(logged).toMatchObject({
    route: "/v1/status",
    err: expect.objectContaining({ message: expect.any(String) }),
  });
});
