import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson, type Receiver, startReceiver } from "./helpers.js";

let emulator: RunningEmulator;
let receiver: Receiver;
const sameDelay = { minDelayMs: 1_000, maxDelayMs: 1_000, notFoundRate: 0 };

beforeAll(async () => {
  receiver = await startReceiver();
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 10_000, burst: 10_000 },
        tables: [
          {
            id: "t_open",
            enrichment: sameDelay,
            httpApiColumn: { rateLimit: { requests: 1000, perMs: 1000 } },
            webhooks: [{}],
          },
          { id: "t_auth", autoRun: false, webhooks: [{ authToken: "s3cret" }] },
          // One callback every 5 ms, so they arrive in the order they were queued.
          {
            id: "t_serial",
            enrichment: sameDelay,
            httpApiColumn: { rateLimit: { requests: 1, perMs: 5 } },
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

const requests = () => emulator.control.snapshot().workspaces[0]!.requests;
const query = () =>
  postJson(
    `${emulator.publicApiBaseUrl}/tables/t_open/rows/query`,
    {},
    { "clay-api-key": "ws-api-key" },
  );
const withCallback = (n: number) => lead(n, { callback_url: `${receiver.url}/cb/${n}` });

describe("webhook faults", () => {
  it("answers webhookErrorStatus for webhookErrorRate of the requests", async () => {
    emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 502 });
    const failed = await postJson(emulator.webhookUrl("t_open"), lead(1));
    expect(failed.status).toBe(502);
    expect(failed.body.error).toBe("injected_error");
    expect(requests()).toMatchObject({ faulted: 1, accepted: 0 });

    emulator.control.setFaults({ webhookErrorRate: 0.5 });
    const statuses: number[] = [];
    for (let n = 0; n < 40; n++)
      statuses.push((await postJson(emulator.webhookUrl("t_open"), lead(n))).status);
    const errors = statuses.filter((status) => status === 500).length;
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(32);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40 - errors);
    expect(emulator.control.rows("t_open")).toHaveLength(40 - errors);

    emulator.control.clearFaults();
    expect((await postJson(emulator.webhookUrl("t_open"), lead(99))).status).toBe(200);
  });

  it("adds webhookLatencyMs before answering", async () => {
    emulator.control.setFaults({ webhookLatencyMs: 300 });
    const started = performance.now();
    expect((await postJson(emulator.webhookUrl("t_open"), lead(1))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("answers the outage status on the webhook and the public API, before auth, until it ends", async () => {
    emulator.control.setFaults({ outage: { durationMs: 500, status: 502 } });
    const webhook = await postJson(emulator.webhookUrl("t_auth"), lead(1));
    expect(webhook.status).toBe(502);
    expect(webhook.body.error).toBe("outage");
    expect((await query()).status).toBe(502);
    // An unknown webhook is still unknown.
    expect(
      (await postJson(`${emulator.url}/v3/sources/webhook/pull-in-data-from-a-webhook-nope`, {}))
        .status,
    ).toBe(404);
    await sleep(600);
    expect(
      (await postJson(emulator.webhookUrl("t_auth"), lead(1), { "x-clay-webhook-auth": "s3cret" }))
        .status,
    ).toBe(200);
    expect((await query()).status).toBe(200);
  });

  it("defaults the outage status to 503", async () => {
    emulator.control.setFaults({ outage: { durationMs: 1_000 } });
    expect((await postJson(emulator.webhookUrl("t_open"), lead(1))).status).toBe(503);
  });

  it("answers 429 with the storm's Retry-After during a rate-limit storm", async () => {
    emulator.control.setFaults({ rateLimitStorm: { durationMs: 400, retryAfterSeconds: 7 } });
    const limited = await postJson(emulator.webhookUrl("t_open"), lead(1));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(requests()).toMatchObject({ faulted: 1, rateLimited: 0 });
    await sleep(500);
    expect((await postJson(emulator.webhookUrl("t_open"), lead(1))).status).toBe(200);
  });
});

describe("callback faults", () => {
  it("never sends a lost callback", async () => {
    emulator.control.setFaults({ callbackLostRate: 1 });
    await postJson(emulator.webhookUrl("t_open"), [1, 2, 3].map(withCallback));
    await emulator.control.idle();
    expect(receiver.requests).toHaveLength(0);
    expect(emulator.control.snapshot().callbacks).toMatchObject({ lost: 3, attempted: 0 });
    expect(emulator.control.rows("t_open").every((row) => row.status === "enriched")).toBe(true);
  });

  it("loses about callbackLostRate of the callbacks", async () => {
    emulator.control.setFaults({ callbackLostRate: 0.5 });
    await postJson(
      emulator.webhookUrl("t_open"),
      Array.from({ length: 60 }, (_, n) => withCallback(n)),
    );
    await emulator.control.idle();
    const { lost, delivered } = emulator.control.snapshot().callbacks;
    expect(lost + delivered).toBe(60);
    expect(lost).toBeGreaterThan(15);
    expect(lost).toBeLessThan(45);
    expect(receiver.requests).toHaveLength(delivered);
  });

  it("sends a duplicated callback twice, with the same body", async () => {
    emulator.control.setFaults({ callbackDuplicateRate: 1 });
    await postJson(emulator.webhookUrl("t_open"), [1, 2].map(withCallback));
    await emulator.control.idle();
    expect(receiver.requests.map((request) => request.path).sort()).toEqual([
      "/cb/1",
      "/cb/1",
      "/cb/2",
      "/cb/2",
    ]);
    const [first, second] = receiver.requests.filter((request) => request.path === "/cb/1");
    expect(first!.body).toEqual(second!.body);
    expect(emulator.control.snapshot().callbacks).toMatchObject({ duplicated: 2, delivered: 4 });
  });

  it("holds callbacks back by callbackDelayMs of Clay time", async () => {
    // 5,000 Clay seconds at 10,000x: 500 real ms.
    emulator.control.setFaults({ callbackDelayMs: 5_000_000 });
    const started = performance.now();
    await postJson(emulator.webhookUrl("t_open"), withCallback(1));
    await emulator.control.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.at - started).toBeGreaterThanOrEqual(490);
  });

  it("delivers callbacks out of order with callbackOutOfOrder, in order without it", async () => {
    const arrivals = async () => {
      receiver.requests.length = 0;
      await postJson(
        emulator.webhookUrl("t_serial"),
        Array.from({ length: 30 }, (_, n) => withCallback(n)),
      );
      await emulator.control.idle();
      return receiver.requests.map((request) => String(request.body.clay_row_id));
    };
    const inOrder = await arrivals();
    expect(inOrder).toHaveLength(30);
    expect(inOrder).toEqual([...inOrder].sort());

    emulator.control.setFaults({ callbackOutOfOrder: true });
    const shuffled = await arrivals();
    expect(shuffled).toHaveLength(30);
    expect(new Set(shuffled).size).toBe(30);
    expect(shuffled).not.toEqual([...shuffled].sort());
  });
});
