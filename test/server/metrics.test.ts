/**
 * GET /metrics: our series in Prometheus text, the pipeline gauges refreshed
 * on each scrape, in a registry of our own (prom-client's global one stays
 * empty), and no token in any label.
 */
import { register } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lead, startHarness } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ workspace: { credits: { daily: { data: 100_000 } } } });
});
afterAll(() => harness.close());

async function scrape(): Promise<string> {
  const response = await fetch(`${harness.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

it("counts leads, callbacks and requests, and reports the pipeline's gauges", async () => {
  const posted = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(1)]);
  expect(posted.status).toBe(202);
  const invalid = await harness.request("POST", "/v1/leads", [lead(3), { email: "bad" }]);
  expect(invalid.status).toBe(422);
  for (const entry of posted.body.accepted) await harness.waitForLead(entry.id);

  const text = await scrape();
  expect(text).toContain('claypipe_leads_accepted_total{source="api",state="queued"} 2');
  expect(text).toContain('claypipe_leads_accepted_total{source="api",state="duplicate"} 1');
  expect(text).toContain('claypipe_leads_rejected_total{source="api"} 1');
  expect(text).toContain('claypipe_callbacks_total{outcome="accepted"} 2');
  expect(text).toContain(
    'claypipe_http_requests_total{method="POST",route="/v1/leads",status="202"} 1',
  );
  expect(text).toContain(
    'claypipe_http_requests_total{method="POST",route="/v1/leads",status="422"} 1',
  );
  expect(text).toContain(
    'claypipe_http_requests_total{method="POST",route="/v1/callbacks/clay/:token",status="200"} 2',
  );
  expect(text).toMatch(
    /claypipe_http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/v1\/leads"\} \d/,
  );
  expect(text).toContain('claypipe_leads{state="delivered"} 3');
  expect(text).toContain('claypipe_leads{state="dead"} 0');
  expect(text).toContain('claypipe_dlq_size{kind="leads"} 0');
  expect(text).toMatch(
    /claypipe_credits_used\{scope="workspace:ws",window="[^"]+",meter="data"\} [1-9]/,
  );
  expect(text).toContain("claypipe_credits_saved{meter=");
  expect(text).toContain('claypipe_credits_saved_by_rules{meter="data"} 0');
  expect(text).toContain('claypipe_breaker_state{workspace="ws",state="closed"} 1');
  expect(text).toContain('claypipe_table_rows_remaining{workspace="ws",table="leads"}');
  expect(text).toContain("claypipe_status_up 1");
  expect(text).not.toMatch(/clay\/[A-Za-z0-9_-]{20,}/);
});

it("refreshes the gauges on every scrape", async () => {
  const before = await scrape();
  const delivered = Number(/claypipe_leads\{state="delivered"\} (\d+)/.exec(before)![1]);
  const posted = await harness.request("POST", "/v1/leads", lead(50));
  await harness.waitForLead(posted.body.accepted[0].id);
  expect(await scrape()).toContain(`claypipe_leads{state="delivered"} ${delivered + 1}`);
});

it("keeps its series out of prom-client's global registry", async () => {
  expect(await register.metrics()).not.toContain("claypipe_");
});
