import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { ENRICHMENT_FIELDS } from "../../src/emulator/enrichment.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson, type Receiver, startReceiver } from "./helpers.js";

let emulator: RunningEmulator;
let receiver: Receiver;
const enrichment = { minDelayMs: 0, maxDelayMs: 10_000, notFoundRate: 0 };
const fastColumn = { rateLimit: { requests: 1000, perMs: 1000 } };

beforeAll(async () => {
  receiver = await startReceiver((path, nth) => {
    if (path.startsWith("/flaky/")) return nth === 0 ? 500 : 200;
    if (path.startsWith("/down/")) return 503;
    if (path.startsWith("/bad/")) return 400;
    if (path.startsWith("/slow/")) return nth === 0 ? "hang" : 200;
    return 200;
  });
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 10_000, burst: 10_000 },
        tables: [
          {
            id: "t_put",
            enrichment,
            httpApiColumn: {
              ...fastColumn,
              method: "PUT",
              headers: { "x-api-key": "static-1", authorization: "Bearer abc" },
            },
            webhooks: [{}],
          },
          {
            id: "t_custom",
            enrichment,
            httpApiColumn: { ...fastColumn, urlColumn: "webhook" },
            webhooks: [{}],
          },
          { id: "t_off", enrichment, httpApiColumn: false, webhooks: [{}] },
          {
            id: "t_retry",
            enrichment,
            httpApiColumn: { ...fastColumn, maxRetries: 2, timeoutMs: 150 },
            webhooks: [{}],
          },
          {
            id: "t_rate",
            enrichment,
            httpApiColumn: { rateLimit: { requests: 2, perMs: 200 } },
            webhooks: [{}],
          },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});
beforeEach(() => {
  emulator.control.reset();
  receiver.requests.length = 0;
});

const callbacks = () => emulator.control.snapshot().callbacks;

it("sends the whole row with the static headers, the column's method and a JSON content type", async () => {
  const input = lead(1, { callback_url: `${receiver.url}/cb/1`, job_id: "job-1", score: 3 });
  await postJson(emulator.webhookUrl("t_put"), input);
  await emulator.control.idle();

  expect(receiver.requests).toHaveLength(1);
  const [request] = receiver.requests;
  const [row] = emulator.control.rows("t_put");
  expect(request!.method).toBe("PUT");
  expect(request!.path).toBe("/cb/1");
  expect(request!.headers).toMatchObject({
    "x-api-key": "static-1",
    authorization: "Bearer abc",
    "content-type": "application/json",
  });
  expect(request!.body).toEqual({ ...row!.fields, clay_row_id: row!.id });
  expect(request!.body).toMatchObject({ ...input, enrichment_status: "enriched" });
  for (const field of ENRICHMENT_FIELDS) expect(request!.body).toHaveProperty(field);
  expect(callbacks()).toMatchObject({ attempted: 1, delivered: 1, failed: 0, retried: 0 });
});

it("runs only for rows whose url column is non-blank, and reads the configured column", async () => {
  await postJson(emulator.webhookUrl("t_put"), [lead(1), lead(2, { callback_url: "  " })]);
  await postJson(emulator.webhookUrl("t_custom"), [
    lead(3, { webhook: `${receiver.url}/custom/3` }),
    lead(4, { callback_url: `${receiver.url}/ignored/4` }),
  ]);
  await emulator.control.idle();
  expect(receiver.requests.map((request) => request.path)).toEqual(["/custom/3"]);
  expect(emulator.control.rows("t_put").map((row) => row.status)).toEqual(["enriched", "enriched"]);
});

it("sends nothing when the table has no HTTP API column", async () => {
  await postJson(emulator.webhookUrl("t_off"), lead(1, { callback_url: `${receiver.url}/cb/1` }));
  await emulator.control.idle();
  expect(receiver.requests).toHaveLength(0);
  expect(emulator.control.rows("t_off")[0]!.status).toBe("enriched");
});

it("retries a 500 and then delivers", async () => {
  await postJson(
    emulator.webhookUrl("t_retry"),
    lead(1, { callback_url: `${receiver.url}/flaky/1` }),
  );
  await emulator.control.idle();
  expect(receiver.requests).toHaveLength(2);
  expect(receiver.requests[1]!.body).toEqual(receiver.requests[0]!.body);
  expect(callbacks()).toMatchObject({ attempted: 2, retried: 1, delivered: 1, failed: 0 });
});

it("gives up after maxRetries", async () => {
  await postJson(
    emulator.webhookUrl("t_retry"),
    lead(1, { callback_url: `${receiver.url}/down/1` }),
  );
  await emulator.control.idle();
  expect(receiver.requests).toHaveLength(3);
  expect(callbacks()).toMatchObject({ attempted: 3, retried: 2, delivered: 0, failed: 1 });
});

it("does not retry a status outside retryStatuses", async () => {
  await postJson(
    emulator.webhookUrl("t_retry"),
    lead(1, { callback_url: `${receiver.url}/bad/1` }),
  );
  await emulator.control.idle();
  expect(receiver.requests).toHaveLength(1);
  expect(callbacks()).toMatchObject({ attempted: 1, retried: 0, failed: 1 });
});

it("abandons a call after timeoutMs and retries it", async () => {
  await postJson(
    emulator.webhookUrl("t_retry"),
    lead(1, { callback_url: `${receiver.url}/slow/1` }),
  );
  await emulator.control.idle();
  expect(receiver.requests).toHaveLength(2);
  expect(callbacks()).toMatchObject({ attempted: 2, retried: 1, delivered: 1 });
});

it("retries network errors, then gives up", async () => {
  const closed = await startReceiver();
  const url = `${closed.url}/gone/1`;
  await closed.close();
  await postJson(emulator.webhookUrl("t_retry"), lead(1, { callback_url: url }));
  await emulator.control.idle();
  expect(callbacks()).toMatchObject({ attempted: 3, retried: 2, failed: 1, delivered: 0 });
});

it("keeps to the column's rate limit", async () => {
  // 2 requests per 200 ms: a bucket of 2 refilled at 10 per second.
  const rows = Array.from({ length: 10 }, (_, n) =>
    lead(n, { callback_url: `${receiver.url}/rate/${n}` }),
  );
  await postJson(emulator.webhookUrl("t_rate"), rows);
  await emulator.control.idle();
  const times = receiver.requests.map((request) => request.at).sort((a, b) => a - b);
  expect(times).toHaveLength(10);
  for (let i = 0; i < times.length; i++) {
    for (let j = i + 1; j < times.length; j++) {
      const allowed = 2 + (10 * (times[j]! - times[i]!)) / 1000;
      // One request of slack for network jitter between sending and arriving.
      expect(j - i + 1).toBeLessThanOrEqual(allowed + 1);
    }
  }
  expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(700);
});
