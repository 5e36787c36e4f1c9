import { afterEach, describe, expect, it } from "vitest";
import {
  createLocalPublicApiLimiter,
  createPublicApiClient,
} from "../../src/clay/public-api-client.js";
import { PublicApiError } from "../../src/clay/public-api-errors.js";
import { configSchema } from "../../src/config/schema.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { type EmulatorWorkspaceSpec, startEmulator } from "../../src/emulator/index.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** Far above Clay's rate: tests that are not about the rate wait for nothing. */
const FAST = { perMinute: 6_000, burst: 100 };

async function setup(
  spec: Partial<EmulatorWorkspaceSpec> = {},
  publicApiOverrides: Record<string, unknown> = {},
) {
  const emulator = await startEmulator({
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 1_000, burst: 1_000 },
        publicApiRateLimit: FAST,
        tables: [{ id: "t_leads", autoRun: false, webhooks: [{}] }],
        ...spec,
      },
    ],
  });
  running.push(emulator);
  const publicApi = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "ws",
          publicApi: {
            baseUrl: emulator.publicApiBaseUrl,
            apiKey: "ws-api-key",
            rate: FAST,
            ...publicApiOverrides,
          },
          tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_leads") }] }],
        },
      ],
    },
  }).clay.workspaces[0]!.publicApi!;
  const client = createPublicApiClient(publicApi, { initialBackoffMs: 20, maxBackoffMs: 100 });
  // Test data goes in as one array request: the webhook takes up to its rate in rows per call.
  const addRows = async (rows: Array<Record<string, unknown>>) => {
    const response = await fetch(emulator.webhookUrl("t_leads"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rows),
    });
    expect(response.status).toBe(200);
  };
  return { emulator, client, addRows, publicApi };
}

async function rejection(promise: Promise<unknown>): Promise<PublicApiError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(ClaypipeError);
  expect(thrown).toBeInstanceOf(PublicApiError);
  return thrown as PublicApiError;
}

describe("public API client against the emulator", () => {
  it("pages through a table with the cursor", async () => {
    const { client, addRows } = await setup();
    await addRows(Array.from({ length: 230 }, (_, i) => ({ email: `p${i}@example.com`, n: i })));
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await client.queryRows("t_leads", { limit: 100, ...(cursor ? { cursor } : {}) });
      pages.push(page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.map((rows) => rows.length)).toEqual([100, 100, 30]);
    expect(pages.flat().map((row) => row.fields.n)).toEqual(
      Array.from({ length: 230 }, (_, i) => i),
    );
    expect(pages[0]![0]).toMatchObject({ id: expect.any(String), status: "pending" });
  });

  it("filters rows and finds one by a field", async () => {
    const { client, addRows } = await setup();
    await addRows(
      Array.from({ length: 30 }, (_, i) => ({ email: `p${i}@example.com`, segment: i % 3 })),
    );
    const page = await client.queryRows("t_leads", { filter: { segment: 1 } });
    expect(page.nextCursor).toBeNull();
    expect(page.rows.map((row) => row.fields.email)).toEqual(
      Array.from({ length: 10 }, (_, i) => `p${i * 3 + 1}@example.com`),
    );
    expect((await client.findRow("t_leads", "email", "p7@example.com"))?.fields).toEqual({
      email: "p7@example.com",
      segment: 1,
    });
    expect(await client.findRow("t_leads", "email", "nobody@example.com")).toBeUndefined();
  });

  it("waits out 429s, honouring Retry-After", async () => {
    const { client, addRows } = await setup({ publicApiRateLimit: { perMinute: 600, burst: 10 } });
    await addRows([{ email: "a@example.com" }]);
    // The emulator's public API takes 10 queries at once, then 10 a second.
    const pages = await Promise.all(Array.from({ length: 14 }, () => client.queryRows("t_leads")));
    expect(pages.every((page) => page.rows.length === 1)).toBe(true);
  });

  it("keeps publicApi.rate: a workspace allowing the same rate answers no 429", async () => {
    // A little under the workspace's rate, as any client of a bucket it cannot see must stay.
    const { emulator, client } = await setup(
      { publicApiRateLimit: { perMinute: 120, burst: 2 } },
      { rate: { perMinute: 100, burst: 2 } },
    );
    await Promise.all(Array.from({ length: 6 }, () => client.queryRows("t_leads")));
    expect(emulator.control.snapshot().workspaces[0]!.publicApi).toEqual({
      answered: 6,
      rateLimited: 0,
    });
  });

  it("after a 429, holds every caller of the limiter back until Retry-After has passed", async () => {
    const { emulator, publicApi } = await setup();
    const limiter = createLocalPublicApiLimiter(publicApi);
    let rateLimited = 0;
    const client = createPublicApiClient(publicApi, {
      limiter: {
        acquire: (signal) => limiter.acquire(signal),
        onSuccess: () => limiter.onSuccess(),
        onRateLimited(retryAfterMs) {
          rateLimited++;
          limiter.onRateLimited(retryAfterMs);
        },
        rateLimitedCount: () => limiter.rateLimitedCount(),
        currentRate: limiter.currentRate,
      },
    });
    emulator.control.setFaults({
      publicApiRateLimitStorm: { durationMs: 500, retryAfterSeconds: 1 },
    });
    const first = client.queryRows("t_leads");
    while (rateLimited === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Asked after Clay said 429: they wait for its Retry-After instead of meeting the storm.
    const others = Array.from({ length: 4 }, () => client.queryRows("t_leads"));
    await Promise.all([first, ...others]);
    expect(emulator.control.snapshot().workspaces[0]!.publicApi).toEqual({
      answered: 5,
      rateLimited: 1,
    });
  });

  it("asks who the key belongs to with GET /me, and says which setting is wrong", async () => {
    const { client } = await setup();
    expect(await client.me()).toMatchObject({ workspace: { id: "ws" } });

    const wrongKey = await rejection((await setup({}, { apiKey: "not-the-key" })).client.me());
    expect(wrongKey).toMatchObject({ status: 401, passing: false });
    expect(wrongKey.hint).toMatch(/publicApi\.apiKey/);
    expect(wrongKey.describe()).not.toContain("not-the-key");

    const wrongPath = await rejection((await setup({}, { mePath: "/whoami" })).client.me());
    expect(wrongPath).toMatchObject({ status: 404, passing: false });
    expect(wrongPath.message).toMatch(/nothing at http:\/\/127\.0\.0\.1:\d+\/public\/v0\/whoami/);
    expect(wrongPath.hint).toMatch(/publicApi\.baseUrl/);
  });

  it("retries through a short outage", async () => {
    const { emulator, client } = await setup();
    emulator.control.setFaults({ outage: { durationMs: 300 } });
    expect((await client.queryRows("t_leads")).rows).toEqual([]);
  });

  it("explains a wrong API key, an unknown table and exhausted credits", async () => {
    const wrongKey = await setup({}, { apiKey: "not-the-key" });
    const unauthorized = await rejection(wrongKey.client.queryRows("t_leads"));
    expect(unauthorized.code).toBe("clay_rejected");
    expect(unauthorized.hint).toMatch(/publicApi\.apiKey/);

    const unknown = await rejection((await setup()).client.queryRows("t_missing"));
    expect(unknown.message).toMatch(/no table "t_missing"/);
    expect(unknown.hint).toMatch(/table id/);

    const broke = await setup({
      credits: { actions: 0 },
      tables: [
        {
          id: "t_leads",
          enrichment: { minDelayMs: 0, maxDelayMs: 0 },
          httpApiColumn: false,
          webhooks: [{}],
        },
      ],
    });
    await broke.addRows([{ email: "a@example.com" }]);
    await broke.emulator.control.idle();
    const exhausted = await rejection(broke.client.queryRows("t_leads"));
    expect(exhausted.message).toMatch(/actions or data credits are exhausted/);
    expect(exhausted.hint).toMatch(/spend limit/);
  });

  it("stops when aborted", async () => {
    const { emulator, client } = await setup();
    emulator.control.setFaults({ outage: { durationMs: 5_000 } });
    await expect(client.queryRows("t_leads", {}, AbortSignal.timeout(100))).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });
});
