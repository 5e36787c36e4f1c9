import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws_a",
        // One token in 5 s: a slow machine cannot refill the bucket between the posts.
        rateLimit: { perSecond: 0.2, burst: 4 },
        tables: [
          { id: "t_a1", autoRun: false, webhooks: [{}, {}] },
          { id: "t_a2", autoRun: false, webhooks: [{}] },
        ],
      },
      {
        id: "ws_b",
        rateLimit: { perSecond: 2, burst: 4 },
        tables: [{ id: "t_b", autoRun: false, webhooks: [{}] }],
      },
      {
        id: "ws_c",
        rateLimit: { perSecond: 1, burst: 4 },
        tables: [{ id: "t_c", autoRun: false, webhooks: [{}] }],
      },
    ],
  });
});
afterAll(() => emulator.close());

it("shares one bucket per workspace across its webhooks and tables, answering 429 with Retry-After", async () => {
  emulator.control.reset();
  const urls = [
    emulator.webhookUrl("t_a1", 0),
    emulator.webhookUrl("t_a1", 1),
    emulator.webhookUrl("t_a2"),
  ];
  const statuses: number[] = [];
  for (let n = 0; n < 4; n++) statuses.push((await postJson(urls[n % 3]!, lead(n))).status);
  expect(statuses).toEqual([200, 200, 200, 200]);

  for (const url of urls) {
    const limited = await postJson(url, lead(99));
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe("rate_limited");
    const retryAfter = limited.headers.get("retry-after");
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  }

  // Another workspace has its own bucket.
  expect((await postJson(emulator.webhookUrl("t_b"), lead(1))).status).toBe(200);

  const snapshot = emulator.control.snapshot().workspaces.find((w) => w.id === "ws_a")!;
  expect(snapshot.requests).toMatchObject({ accepted: 4, rateLimited: 3 });
  expect(snapshot.tables.reduce((sum, table) => sum + table.rowCount, 0)).toBe(4);
});

it("accepts again once the bucket refilled", async () => {
  emulator.control.reset();
  const url = emulator.webhookUrl("t_c");
  for (let n = 0; n < 4; n++) await postJson(url, lead(n));
  expect((await postJson(url, lead(5))).status).toBe(429);
  // 1 per second: one token every second.
  await sleep(1200);
  expect((await postJson(url, lead(6))).status).toBe(200);
});
