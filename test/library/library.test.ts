/** The library example (docs/library.md), run for real: createPipeline + createServer, submit and enrich. */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import {
  ClaypipeError,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  removeTempDirs();
});

async function running(): Promise<{ pipeline: Pipeline; emulator: RunningEmulator }> {
  const emulator = await startEmulator({
    timeScale: 2000,
    workspaces: [
      {
        id: "main",
        rateLimit: { perSecond: 100, burst: 50 },
        tables: [{ id: "t_leads", webhooks: [{}] }],
      },
    ],
  });
  cleanup.push(() => emulator.close());
  const port = await freePort();
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_leads") }] }],
        },
      ],
    },
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    server: { port },
    store: { sqlite: { path: join(makeTempDir("lib"), "claypipe.db") } },
    logLevel: "silent",
  });
  const pipeline = await createPipeline(config);
  const server = await createServer({ pipeline, config });
  cleanup.push(
    () => pipeline.stop(),
    () => server.close(),
  );
  await pipeline.start();
  await server.listen();
  return { pipeline, emulator };
}

describe("claypipe as a library", () => {
  it("submit takes one lead or a batch; enrich resolves with the enriched row", async () => {
    const { pipeline } = await running();
    const one = await pipeline.submit({ email: "ada@acme.example" });
    expect(one.accepted).toMatchObject([{ index: 0, state: "queued" }]);
    const batch = await pipeline.submit([{ email: "grace@navy.example" }, { email: "nope" }]);
    expect(batch.accepted.map((a) => a.index)).toEqual([0]);
    expect(batch.rejected[0]).toMatchObject({ index: 1, issues: [{ path: "email" }] });

    const row = await pipeline.enrich(
      { email: "linus@kernel.example", company: "Kernel" },
      { timeout: 20_000 },
    );
    expect(row).toMatchObject({ email: "linus@kernel.example" });
    expect(row).toHaveProperty("icp_score");
    expect(row).not.toHaveProperty("callback_url");

    // A repeat of an enriched lead is served from the stored result, at once and without Clay.
    const again = await pipeline.enrich({ email: "Linus@Kernel.example" }, { timeout: 1_000 });
    expect(again.icp_score).toBe(row.icp_score);
  });

  it("enrich refuses a lead it cannot enrich, and says why", async () => {
    const { pipeline } = await running();
    await expect(pipeline.enrich({ company: "Acme" }, { timeout: 1_000 })).rejects.toSatisfy(
      (error) =>
        error instanceof ClaypipeError &&
        error.code === "input_invalid" &&
        /needs an email/.test(error.message),
    );
  });
});
