import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 10_000,
    workspaces: [
      {
        id: "ws",
        rateLimit: { perSecond: 10_000, burst: 10_000 },
        tables: [
          {
            id: "t_open",
            autoRun: false,
            httpApiColumn: false,
            webhooks: [{}, { submissionLimit: 3 }],
          },
          { id: "t_auth", autoRun: false, webhooks: [{ authToken: "s3cret" }] },
          { id: "t_small", rowLimit: 5, autoRun: false, webhooks: [{}] },
          { id: "t_dedupe", dedupeColumn: "email", autoRun: false, webhooks: [{}] },
        ],
      },
    ],
  });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.control.reset());

function table(id: string) {
  return emulator.control.snapshot().workspaces[0]!.tables.find((t) => t.id === id)!;
}

describe("webhook source: rejections", () => {
  it("answers 404 with a JSON error for an unknown webhook uuid", async () => {
    const url = `${emulator.url}/v3/sources/webhook/pull-in-data-from-a-webhook-00000000-dead-beef`;
    const response = await postJson(url, lead(1));
    expect(response.status).toBe(404);
    expect(response.body.error).toBe("webhook_not_found");
    expect(String(response.body.message)).toContain("00000000-dead-beef");
  });

  it("answers 401 when the auth token is missing or wrong, 200 when it is right", async () => {
    const url = emulator.webhookUrl("t_auth");
    const missing = await postJson(url, lead(1));
    const wrong = await postJson(url, lead(1), { "x-clay-webhook-auth": "nope" });
    const right = await postJson(url, lead(1), { "x-clay-webhook-auth": "s3cret" });
    expect([missing.status, wrong.status, right.status]).toEqual([401, 401, 200]);
    expect(String(missing.body.message)).toContain("missing");
    expect(table("t_auth").rowCount).toBe(1);
    expect(emulator.control.snapshot().workspaces[0]!.requests.rejected).toBe(2);
  });

  it("answers 413 past 102,400 bytes and accepts exactly 102,400", async () => {
    const url = emulator.webhookUrl("t_open");
    const wrapper = '{"note":""}'.length;
    const fits = JSON.stringify({ note: "x".repeat(102_400 - wrapper) });
    const over = JSON.stringify({ note: "x".repeat(102_401 - wrapper) });
    expect((await postJson(url, fits)).status).toBe(200);
    const response = await postJson(url, over);
    expect(response.status).toBe(413);
    expect(response.body.error).toBe("payload_too_large");
    expect(table("t_open").rowCount).toBe(1);
  });

  it.each([
    ["invalid JSON", "{not json"],
    ["a bare string", '"hello"'],
    ["an empty array", "[]"],
    ["an array holding a non-object", '[{"a":1}, 2]'],
    ["an empty body", ""],
  ])("answers 400 for %s", async (_label, body) => {
    const response = await fetch(emulator.webhookUrl("t_open"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_body");
    expect(table("t_open").rowCount).toBe(0);
  });

  it("answers 403 once a webhook used its submission limit, and counts none of the refused", async () => {
    const url = emulator.webhookUrl("t_open", 1);
    expect((await postJson(url, [lead(1), lead(2)])).status).toBe(200);
    const tooMany = await postJson(url, [lead(3), lead(4)]);
    expect(tooMany.status).toBe(403);
    expect(tooMany.body.error).toBe("submission_limit_reached");
    expect((await postJson(url, lead(3))).status).toBe(200);
    const after = await postJson(url, lead(5));
    expect(after.status).toBe(403);
    expect(String(after.body.message)).toContain("new webhook");
    expect(table("t_open").webhooks[1]).toMatchObject({ submissions: 3, submissionLimit: 3 });
    // The table's other webhook is not affected.
    expect((await postJson(emulator.webhookUrl("t_open", 0), lead(6))).status).toBe(200);
  });
});

describe("webhook source: rows", () => {
  it("makes one row of one object, with every key as a field", async () => {
    const response = await postJson(emulator.webhookUrl("t_open"), {
      email: "a@x.io",
      score: 7,
      ok: true,
    });
    expect(response.status).toBe(200);
    const rows = emulator.control.rows("t_open");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tableId: "t_open",
      status: "pending",
      fields: { email: "a@x.io", score: 7, ok: true },
    });
    expect(rows[0]!.id).toMatch(/^r_/);
  });

  it("makes N rows of an array of N objects, in order, and counts N submissions", async () => {
    await postJson(emulator.webhookUrl("t_open"), [lead(1), lead(2), lead(3)]);
    expect(emulator.control.rows("t_open").map((row) => row.fields.email)).toEqual([
      "lead1@example.com",
      "lead2@example.com",
      "lead3@example.com",
    ]);
    expect(table("t_open").webhooks[0]!.submissions).toBe(3);
  });

  it("counts submissions per webhook, including records the table then dropped", async () => {
    const url = emulator.webhookUrl("t_small");
    for (let n = 0; n < 7; n++) expect((await postJson(url, lead(n))).status).toBe(200);
    expect(table("t_small")).toMatchObject({ rowCount: 5, droppedAtRowLimit: 2 });
    expect(table("t_small").webhooks[0]!.submissions).toBe(7);
  });

  it("drops rows past the row limit silently: 200 answers, no new rows", async () => {
    const url = emulator.webhookUrl("t_small");
    const statuses: number[] = [];
    for (let n = 0; n < 8; n++) statuses.push((await postJson(url, lead(n))).status);
    expect(statuses).toEqual(Array(8).fill(200));
    const rows = emulator.control.rows("t_small");
    expect(rows.map((row) => row.fields.email)).toEqual(
      [0, 1, 2, 3, 4].map((n) => `lead${n}@example.com`),
    );
    expect(table("t_small")).toMatchObject({ rowCount: 5, rowLimit: 5, droppedAtRowLimit: 3 });
  });

  it("auto-dedupe keeps the oldest row and drops newer duplicates", async () => {
    const url = emulator.webhookUrl("t_dedupe");
    await postJson(url, { email: "same@x.io", version: 1 });
    const second = await postJson(url, { email: "same@x.io", version: 2 });
    await postJson(url, [{ email: "other@x.io" }, { email: "same@x.io", version: 3 }]);
    expect(second.status).toBe(200);
    const rows = emulator.control.rows("t_dedupe");
    expect(rows.map((row) => row.fields)).toEqual([
      { email: "same@x.io", version: 1 },
      { email: "other@x.io" },
    ]);
    expect(table("t_dedupe")).toMatchObject({ rowCount: 2, deduplicated: 2 });
    expect(table("t_dedupe").webhooks[0]!.submissions).toBe(4);
  });

  it("auto-dedupe skips blank cells and cells over 200 characters", async () => {
    const long = `${"x".repeat(195)}@x.io`.padEnd(201, "z");
    await postJson(emulator.webhookUrl("t_dedupe"), [
      { email: "" },
      { email: "" },
      { email: "   " },
      { email: "   " },
      { name: "no email" },
      { name: "no email" },
      { email: long },
      { email: long },
    ]);
    expect(table("t_dedupe")).toMatchObject({ rowCount: 8, deduplicated: 0 });
  });
});
