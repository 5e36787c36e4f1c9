import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson, type Receiver, startReceiver } from "./helpers.js";

let emulator: RunningEmulator;
let receiver: Receiver;
const enrichment = { minDelayMs: 0, maxDelayMs: 10_000, notFoundRate: 0 };

beforeAll(async () => {
  receiver = await startReceiver();
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      // Each row with a callback costs 3 enrichment actions + 1 HTTP API action.
      {
        id: "ws_actions",
        credits: { actions: 8 },
        tables: [{ id: "t_actions", enrichment, webhooks: [{}] }],
      },
      {
        id: "ws_data",
        credits: { data: 25 },
        tables: [{ id: "t_data", enrichment, webhooks: [{}] }],
      },
      { id: "ws_free", tables: [{ id: "t_free", enrichment, webhooks: [{}] }] },
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

const withCallback = (n: number) => lead(n, { callback_url: `${receiver.url}/cb/${n}` });
const workspace = (id: string) => emulator.control.snapshot().workspaces.find((w) => w.id === id)!;
const query = (tableId: string, apiKey: string) =>
  postJson(
    `${emulator.publicApiBaseUrl}/tables/${tableId}/rows/query`,
    {},
    { "clay-api-key": apiKey },
  );

it("stalls rows once the actions limit would be passed: no callback for them, 402 from the public API", async () => {
  expect((await query("t_actions", "ws_actions-api-key")).status).toBe(200);
  await postJson(emulator.webhookUrl("t_actions"), [1, 2, 3, 4, 5].map(withCallback));
  await emulator.control.idle();

  const rows = emulator.control.rows("t_actions");
  const enriched = rows.filter((row) => row.status === "enriched");
  const stalled = rows.filter((row) => row.status === "stalled_no_credits");
  expect([enriched.length, stalled.length]).toEqual([2, 3]);
  for (const row of stalled) expect(row.fields.enrichment_status).toBeUndefined();

  expect(workspace("ws_actions").credits).toMatchObject({
    actionsUsed: 8,
    actionsLimit: 8,
    exhausted: true,
  });
  expect(workspace("ws_actions").tables[0]).toMatchObject({ enriched: 2, stalled: 3, pending: 0 });
  expect(receiver.requests.map((request) => request.body.clay_row_id).sort()).toEqual(
    enriched.map((row) => row.id).sort(),
  );
  expect(emulator.control.snapshot().callbacks.delivered).toBe(2);

  const refused = await query("t_actions", "ws_actions-api-key");
  expect(refused.status).toBe(402);
  expect(refused.body.error).toBe("credits_exhausted");
  // Other workspaces keep working.
  expect((await query("t_free", "ws_free-api-key")).status).toBe(200);
});

it("once exhausted, stalls every later row too, even a cheap one", async () => {
  await postJson(emulator.webhookUrl("t_actions"), [1, 2, 3].map(withCallback));
  await emulator.control.idle();
  // Without a callback a row costs 3 actions; still nothing runs once the limit was hit.
  await postJson(emulator.webhookUrl("t_actions"), lead(50));
  await emulator.control.idle();
  expect(emulator.control.rows("t_actions").at(-1)!.status).toBe("stalled_no_credits");
  expect(workspace("ws_actions").credits.actionsUsed).toBe(8);
});

it("never spends past the data credit limit", async () => {
  await postJson(
    emulator.webhookUrl("t_data"),
    Array.from({ length: 6 }, (_, n) => withCallback(n)),
  );
  await emulator.control.idle();
  const credits = workspace("ws_data").credits;
  const table = workspace("ws_data").tables[0]!;
  expect(credits.exhausted).toBe(true);
  expect(credits.dataUsed).toBeLessThanOrEqual(25);
  expect(credits.dataUsed).toBeGreaterThanOrEqual(14);
  expect(table.enriched).toBeGreaterThanOrEqual(2);
  expect(table.enriched + table.stalled).toBe(6);
  expect(receiver.requests).toHaveLength(table.enriched);
});

it("reset lifts the exhaustion", async () => {
  await postJson(emulator.webhookUrl("t_actions"), [1, 2, 3].map(withCallback));
  await emulator.control.idle();
  expect(workspace("ws_actions").credits.exhausted).toBe(true);
  emulator.control.reset();
  expect(workspace("ws_actions").credits).toMatchObject({
    actionsUsed: 0,
    dataUsed: 0,
    exhausted: false,
  });
  expect((await query("t_actions", "ws_actions-api-key")).status).toBe(200);
});
