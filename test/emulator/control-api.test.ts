import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import {
  type EmulatorSnapshot,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 10_000, burst: 10_000 },
        credits: { data: 1000 },
        tables: [{ id: "t_leads", enrichment: { minDelayMs: 0, maxDelayMs: 0 }, webhooks: [{}] }],
      },
    ],
  });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.control.reset());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("control API over HTTP", () => {
  it("GET /state returns the snapshot", async () => {
    await postJson(emulator.webhookUrl("t_leads"), [lead(1), lead(2)]);
    await emulator.control.idle();
    const { status, body } = await call("GET", "/state");
    expect(status).toBe(200);
    const snapshot = body as unknown as EmulatorSnapshot;
    expect(snapshot).toEqual(emulator.control.snapshot());
    expect(snapshot.workspaces[0]).toMatchObject({
      id: "ws",
      credits: { dataLimit: 1000, actionsLimit: null, exhausted: false },
      requests: { accepted: 1, rateLimited: 0, rejected: 0, faulted: 0 },
    });
    expect(snapshot.workspaces[0]!.tables[0]).toMatchObject({
      id: "t_leads",
      rowCount: 2,
      rowLimit: 50_000,
      pending: 0,
    });
  });

  it("GET /tables/:id/rows returns the rows, 404 for an unknown table", async () => {
    await postJson(emulator.webhookUrl("t_leads"), lead(1));
    const { status, body } = await call("GET", "/tables/t_leads/rows");
    expect(status).toBe(200);
    expect(body.rows).toEqual(emulator.control.rows("t_leads"));
    const missing = await call("GET", "/tables/t_missing/rows");
    expect(missing.status).toBe(404);
    expect(String(missing.body.message)).toContain("t_missing");
  });

  it("PUT /faults sets faults and DELETE /faults clears them", async () => {
    const set = await call("PUT", "/faults", { webhookErrorRate: 1, webhookErrorStatus: 500 });
    expect(set.status).toBe(200);
    expect((await postJson(emulator.webhookUrl("t_leads"), lead(1))).status).toBe(500);
    expect((await call("DELETE", "/faults")).status).toBe(200);
    expect((await postJson(emulator.webhookUrl("t_leads"), lead(1))).status).toBe(200);
  });

  it.each([
    [{ webhookErrorRate: 2 }, "webhookErrorRate"],
    [{ outage: { status: 503 } }, "outage.durationMs"],
    [{ callbackLostRate: "half" }, "callbackLostRate"],
    [{ webhookErorRate: 0.5 }, "webhookErorRate"],
  ])("PUT /faults answers 400 naming the bad field for %j", async (faults, field) => {
    const { status, body } = await call("PUT", "/faults", faults);
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_faults");
    expect(String(body.message)).toContain(field);
  });

  it("POST /workspaces adds a workspace and returns its webhook URLs", async () => {
    const spec = {
      id: "ws_new",
      tables: [{ id: "t_new", autoRun: false, webhooks: [{}, { uuid: "fixed-uuid-1" }] }],
    };
    const { status, body } = await call("POST", "/workspaces", spec);
    expect(status).toBe(201);
    const tables = body.tables as Array<{ id: string; webhookUrls: string[] }>;
    expect(body).toMatchObject({ id: "ws_new", apiKey: "ws_new-api-key" });
    expect(tables[0]!.webhookUrls).toHaveLength(2);
    expect(tables[0]!.webhookUrls[1]).toBe(
      `${emulator.url}/v3/sources/webhook/pull-in-data-from-a-webhook-fixed-uuid-1`,
    );
    expect((await postJson(tables[0]!.webhookUrls[0]!, lead(1))).status).toBe(200);
    expect(emulator.control.rows("t_new")).toHaveLength(1);

    const again = await call("POST", "/workspaces", spec);
    expect(again.status).toBe(409);
    expect(String(again.body.message)).toContain("ws_new");

    const invalid = await call("POST", "/workspaces", {
      id: "ws_bad",
      tables: [{ id: "t_bad", webhooks: [] }],
    });
    expect(invalid.status).toBe(400);
    expect(String(invalid.body.message)).toContain("tables.0.webhooks");
  });

  it("POST /reset drops rows, counters and faults and keeps workspaces and webhook URLs", async () => {
    const url = emulator.webhookUrl("t_leads");
    await postJson(url, [lead(1), lead(2)]);
    await emulator.control.idle();
    emulator.control.setFaults({ webhookErrorRate: 1 });
    expect((await call("POST", "/reset")).status).toBe(200);
    const workspace = emulator.control.snapshot().workspaces[0]!;
    expect(workspace.credits).toMatchObject({ actionsUsed: 0, dataUsed: 0 });
    expect(workspace.requests.accepted).toBe(0);
    expect(workspace.tables[0]).toMatchObject({
      rowCount: 0,
      enriched: 0,
      webhooks: [{ submissions: 0 }],
    });
    expect(emulator.webhookUrl("t_leads")).toBe(url);
    expect((await postJson(url, lead(3))).status).toBe(200);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const { status, body } = await call("GET", "/nothing-here");
    expect(status).toBe(404);
    expect(body.error).toBe("route_not_found");
  });
});

describe("control API in-process", () => {
  it("throws typed errors for bad input", async () => {
    expect(() => emulator.control.setFaults({ callbackDuplicateRate: -1 })).toThrow(ClaypipeError);
    expect(() => emulator.control.rows("t_missing")).toThrow(/t_missing/);
    expect(() => emulator.control.addWorkspace({ id: "x", tables: [] })).toThrow(/tables/);
    expect(() => emulator.webhookUrl("t_leads", 3)).toThrow(/index 3/);
    await expect(startEmulator({ timeScale: 0 })).rejects.toThrow(/timeScale/);
    await expect(
      startEmulator({
        workspaces: [
          { id: "w", tables: [{ id: "t", webhooks: [{}] }] },
          { id: "w", tables: [{ id: "t2", webhooks: [{}] }] },
        ],
      }),
    ).rejects.toThrow(/already in use/);
  });

  it("reset cancels pending enrichments", async () => {
    emulator.control.addWorkspace({
      id: "ws_slow",
      tables: [
        {
          id: "t_slow",
          enrichment: { minDelayMs: 3_600_000, maxDelayMs: 3_600_000 },
          webhooks: [{}],
        },
      ],
    });
    await postJson(emulator.webhookUrl("t_slow"), lead(1));
    let idle = false;
    const waiting = emulator.control.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    emulator.control.reset();
    await waiting;
    expect(emulator.control.rows("t_slow")).toHaveLength(0);
  });

  it("generates the same webhook uuids for the same seed", async () => {
    const spec = { id: "w", tables: [{ id: "t_same", webhooks: [{}, {}] }] };
    const a = await startEmulator({ seed: 7, workspaces: [spec] });
    const b = await startEmulator({ seed: 7, workspaces: [spec] });
    const c = await startEmulator({ seed: 8, workspaces: [spec] });
    try {
      const uuid = (instance: RunningEmulator, index: number) =>
        instance.webhookUrl("t_same", index).split("webhook-")[1];
      expect(uuid(a, 0)).toBe(uuid(b, 0));
      expect(uuid(a, 0)).not.toBe(uuid(a, 1));
      expect(uuid(a, 0)).not.toBe(uuid(c, 0));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
