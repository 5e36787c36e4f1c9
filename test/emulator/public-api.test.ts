import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type EmulatorRow, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

let emulator: RunningEmulator;
const fastIntake = { perSecond: 10_000, burst: 10_000 };

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws",
        apiKey: "key-ws",
        rateLimit: fastIntake,
        tables: [{ id: "t_leads", autoRun: false, webhooks: [{}] }],
      },
      {
        id: "ws_other",
        rateLimit: fastIntake,
        tables: [{ id: "t_other", autoRun: false, webhooks: [{}] }],
      },
      {
        id: "ws_slow",
        rateLimit: fastIntake,
        publicApiRateLimit: { perMinute: 60, burst: 2 },
        tables: [{ id: "t_slow", autoRun: false, webhooks: [{}] }],
      },
    ],
  });
});
afterAll(() => emulator.close());
// Reset also refills the public API's bucket (a burst of 10 per workspace by default).
beforeEach(() => emulator.control.reset());

type Page = { rows: EmulatorRow[]; nextCursor: string | null };

async function query(body: unknown, apiKey = "key-ws", tableId = "t_leads") {
  return postJson(`${emulator.publicApiBaseUrl}/tables/${tableId}/rows/query`, body, {
    "clay-api-key": apiKey,
  });
}

async function addRows(count: number, extra: (n: number) => Record<string, unknown> = () => ({})) {
  const records = Array.from({ length: count }, (_, n) => lead(n, extra(n)));
  for (let start = 0; start < count; start += 100) {
    expect(
      (await postJson(emulator.webhookUrl("t_leads"), records.slice(start, start + 100))).status,
    ).toBe(200);
  }
}

it("answers 401 without a key or with an unknown one", async () => {
  const missing = await postJson(`${emulator.publicApiBaseUrl}/tables/t_leads/rows/query`, {});
  expect(missing.status).toBe(401);
  expect(String(missing.body.message)).toContain("clay-api-key");
  expect((await query({}, "wrong-key")).status).toBe(401);
});

it("answers 404 for an unknown table and for another workspace's table", async () => {
  const unknown = await query({}, "key-ws", "t_missing");
  expect(unknown.status).toBe(404);
  expect(unknown.body.error).toBe("table_not_found");
  expect((await query({}, "key-ws", "t_other")).status).toBe(404);
  expect((await query({}, "ws_other-api-key", "t_other")).status).toBe(200);
});

it("returns rows in creation order, filtered by field equality", async () => {
  await addRows(6, (n) => ({ segment: n % 2 === 0 ? "even" : "odd", rank: n }));
  const all = (await query({})).body as Page;
  expect(all.rows.map((row) => row.fields.rank)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(all.nextCursor).toBeNull();
  expect(all.rows[0]).toMatchObject({ tableId: "t_leads", status: "pending" });

  const odd = (await query({ filter: { segment: "odd" } })).body as Page;
  expect(odd.rows.map((row) => row.fields.rank)).toEqual([1, 3, 5]);
  const one = (await query({ filter: { segment: "odd", rank: 3 } })).body as Page;
  expect(one.rows.map((row) => row.fields.email)).toEqual(["lead3@example.com"]);
  expect(((await query({ filter: { rank: "3" } })).body as Page).rows).toHaveLength(0);
});

it("pages with an opaque cursor: 150 rows take two pages, and limit is capped at 100", async () => {
  await addRows(150);
  const first = await query({ limit: 500 });
  expect(first.status).toBe(200);
  const page1 = first.body as Page;
  expect(page1.rows).toHaveLength(100);
  expect(page1.nextCursor).toEqual(expect.any(String));
  const page2 = (await query({ limit: 500, cursor: page1.nextCursor })).body as Page;
  expect(page2.rows).toHaveLength(50);
  expect(page2.nextCursor).toBeNull();
  const emails = [...page1.rows, ...page2.rows].map((row) => row.fields.email);
  expect(emails).toEqual(Array.from({ length: 150 }, (_, n) => `lead${n}@example.com`));
});

it("pages a filter without empty pages", async () => {
  await addRows(30, (n) => ({ keep: n % 3 === 0 }));
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = (await query({ filter: { keep: true }, limit: 4, ...(cursor ? { cursor } : {}) }))
      .body as Page;
    expect(page.rows.length).toBeGreaterThan(0);
    ids.push(...page.rows.map((row) => row.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  expect(ids).toHaveLength(10);
  expect(pages).toBe(3);
});

it("answers 400 with the reason for a bad body or cursor", async () => {
  const zero = await query({ limit: 0 });
  expect(zero.status).toBe(400);
  expect(String(zero.body.message)).toContain("limit");
  const nested = await query({ filter: { email: { $ne: null } } });
  expect(nested.status).toBe(400);
  expect(String(nested.body.message)).toContain("filter.email");
  const cursor = await query({ cursor: "not-a-cursor" });
  expect(cursor.status).toBe(400);
  expect(cursor.body.error).toBe("invalid_cursor");
});

it("rate-limits each workspace with 429 and Retry-After", async () => {
  const answers = await Promise.all(Array.from({ length: 14 }, () => query({ limit: 1 })));
  const limited = answers.filter((answer) => answer.status === 429);
  expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(10);
  expect(limited.length).toBeGreaterThan(0);
  expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  // The other workspace is not affected.
  expect((await query({}, "ws_other-api-key", "t_other")).status).toBe(200);
});

async function me(headers: Record<string, string>) {
  const response = await fetch(`${emulator.publicApiBaseUrl}/me`, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

it("answers GET /me with the key's user and workspace; a Bearer header gets 401", async () => {
  const answer = await me({ "clay-api-key": "key-ws" });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ user: { id: expect.any(String) }, workspace: { id: "ws" } });
  expect((await me({ "clay-api-key": "wrong-key" })).status).toBe(401);
  const bearer = await me({ authorization: "Bearer key-ws" });
  expect(bearer.status).toBe(401);
  expect(String(bearer.body.message)).toContain("not as Authorization: Bearer");
});

it("keeps each workspace's configured public API rate for every route, and counts it", async () => {
  const answers = [
    await me({ "clay-api-key": "ws_slow-api-key" }),
    await query({ limit: 1 }, "ws_slow-api-key", "t_slow"),
    await me({ "clay-api-key": "ws_slow-api-key" }),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
  expect(answers[2]!.headers.get("retry-after")).toBe("1");
  const slow = emulator.control
    .snapshot()
    .workspaces.find((workspace) => workspace.id === "ws_slow");
  expect(slow!.publicApi).toEqual({ answered: 2, rateLimited: 1 });
});

it("injects a public API rate-limit storm with its own Retry-After, leaving webhooks alone", async () => {
  emulator.control.setFaults({
    publicApiRateLimitStorm: { durationMs: 60_000, retryAfterSeconds: 7 },
  });
  const answer = await query({});
  expect(answer.status).toBe(429);
  expect(answer.headers.get("retry-after")).toBe("7");
  expect((await me({ "clay-api-key": "key-ws" })).status).toBe(429);
  expect((await postJson(emulator.webhookUrl("t_leads"), lead(1))).status).toBe(200);
  emulator.control.clearFaults();
  expect((await query({})).status).toBe(200);
});
