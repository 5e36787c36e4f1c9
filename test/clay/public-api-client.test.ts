import { afterEach, describe, expect, it } from "vitest";
import { createPublicApiClient } from "../../src/clay/public-api-client.js";
import { configSchema } from "../../src/config/schema.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { type EmulatorWorkspaceSpec, startEmulator } from "../../src/emulator/index.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function setup(spec: Partial<EmulatorWorkspaceSpec> = {}, apiKey = "ws-api-key") {
  const emulator = await startEmulator({
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 1_000, burst: 1_000 },
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
          publicApi: { baseUrl: emulator.publicApiBaseUrl, apiKey },
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
  return { emulator, client, addRows };
}

async function rejection(promise: Promise<unknown>): Promise<ClaypipeError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(ClaypipeError);
  return thrown as ClaypipeError;
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
    const { client, addRows } = await setup();
    await addRows([{ email: "a@example.com" }]);
    // The emulator's public API takes 10 queries at once, then 10 a second.
    const pages = await Promise.all(Array.from({ length: 14 }, () => client.queryRows("t_leads")));
    expect(pages.every((page) => page.rows.length === 1)).toBe(true);
  });

  it("retries through a short outage", async () => {
    const { emulator, client } = await setup();
    emulator.control.setFaults({ outage: { durationMs: 300 } });
    expect((await client.queryRows("t_leads")).rows).toEqual([]);
  });

  it("explains a wrong API key, an unknown table and exhausted credits", async () => {
    const wrongKey = await setup({}, "not-the-key");
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
