/**
 * The public API check at pipeline start, against the emulator: a key, address
 * or table id Clay refuses stops the start with one error saying what to fix;
 * a Clay that cannot be reached is a warning and the pipeline runs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";
import { captureLogs, type LogLine, WARN } from "../clay/log-capture.js";

const KEY = "the-right-public-api-key";
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function pipelineWith(
  publicApi: (emulator: RunningEmulator) => Record<string, unknown>,
  tableId = "t_leads",
): Promise<{ pipeline: Pipeline; emulator: RunningEmulator; logs: LogLine[] }> {
  const emulator = await startEmulator({
    workspaces: [{ id: "ws", apiKey: KEY, tables: [{ id: "t_leads", webhooks: [{}] }] }],
  });
  cleanup.push(() => emulator.close());
  const dir = mkdtempSync(join(tmpdir(), "claypipe-check-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          publicApi: { baseUrl: emulator.publicApiBaseUrl, apiKey: KEY, ...publicApi(emulator) },
          tables: [
            { name: "leads", id: tableId, webhooks: [{ url: emulator.webhookUrl("t_leads") }] },
          ],
        },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1:9", secret: randomBytes(32).toString("hex") },
    store: { sqlite: { path: join(dir, "claypipe.db") } },
  });
  const { logger, lines } = captureLogs();
  const pipeline = await createStandardPipeline(config, { logger });
  cleanup.push(() => pipeline.stop());
  return { pipeline, emulator, logs: lines };
}

async function startFailure(pipeline: Pipeline): Promise<ClaypipeError> {
  const thrown = await pipeline.start().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(ClaypipeError);
  return thrown as ClaypipeError;
}

describe("public API check at start", () => {
  it("reads /me and one row of each table once, then starts", async () => {
    const { pipeline, emulator } = await pipelineWith(() => ({}));
    await pipeline.start();
    expect(emulator.control.snapshot().workspaces[0]!.publicApi).toEqual({
      answered: 2,
      rateLimited: 0,
    });
  });

  it("refuses to start with a key Clay refuses, saying which setting to fix and never the key", async () => {
    const { pipeline, emulator } = await pipelineWith(() => ({ apiKey: "a-wrong-key-123" }));
    const error = await startFailure(pipeline);
    expect(error.message).toBe(`workspace "main": Clay's public API refused the API key (401)`);
    expect(error.hint).toMatch(/publicApi\.apiKey/);
    expect(error.describe()).not.toContain("a-wrong-key-123");
    expect(emulator.control.snapshot().workspaces[0]!.requests.accepted).toBe(0);
  });

  it("refuses to start with a base URL or a table id Clay has nothing at", async () => {
    const wrongBase = await pipelineWith((emulator) => ({ baseUrl: `${emulator.url}/public/v9` }));
    const base = await startFailure(wrongBase.pipeline);
    expect(base.message).toMatch(/nothing at http:\/\/127\.0\.0\.1:\d+\/public\/v9\/me \(404\)/);
    expect(base.hint).toMatch(/publicApi\.baseUrl/);

    const wrongTable = await pipelineWith(() => ({}), "t_missing");
    const table = await startFailure(wrongTable.pipeline);
    expect(table.message).toMatch(/no table "t_missing"/);
    expect(table.hint).toMatch(/table id/);
  });

  it("starts with one warning when Clay's public API cannot be reached", async () => {
    const { pipeline, logs } = await pipelineWith(() => ({
      baseUrl: "http://127.0.0.1:9/public/v0",
    }));
    await pipeline.start();
    const warnings = logs.filter((line) => line.level === WARN && /public API/.test(line.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/could not be reached.*reconcile tries again/);
  });
});
