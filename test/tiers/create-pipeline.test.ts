/**
 * One pipeline API for every tier: the same calls on createPipeline(config),
 * where only the config's tier (and the settings that tier needs) differ.
 * Each runs for real against the emulator: SQLite for standard, PostgreSQL and
 * Redis for queue, those and NATS JetStream for event, Clay's public API for
 * direct's read-back.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openBus } from "../../src/bus/open-bus.js";
import { decodeDeadLetter } from "../../src/bus/topics/dead-letter-event.js";
import { encodeIncomingLead } from "../../src/bus/topics/lead-incoming.js";
import { freePort } from "../../src/demo/free-port.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  ClaypipeError,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import { NATS_URL } from "../bus/fixtures/nats-server.js";
import { makeTempDir } from "../temp-dirs.js";
import { API_KEY, startTierEmulator, tierBackends, until, useCleanup } from "./tier-kit.js";

const cleanup = useCleanup();
const emulator = () => startTierEmulator(cleanup);

/** The config every tier shares: one workspace, one table, Clay's public API. */
function baseConfig(running: RunningEmulator): ClaypipeConfigInput {
  return {
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          publicApi: { baseUrl: running.publicApiBaseUrl, apiKey: API_KEY },
          tables: [
            { name: "leads", id: "t_leads", webhooks: [{ url: running.webhookUrl("t_leads") }] },
          ],
        },
      ],
    },
    logLevel: "silent",
  };
}

/** A service tier's pipeline, started, with the server Clay's callbacks reach. */
async function serviceTier(
  running: RunningEmulator,
  tierSettings: Partial<ClaypipeConfigInput>,
): Promise<{ pipeline: Pipeline; url: string }> {
  const port = await freePort();
  const config = configSchema.parse({
    ...baseConfig(running),
    ...tierSettings,
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    server: { port },
  });
  const pipeline = await createPipeline(config);
  const server = await createServer({ pipeline, config });
  cleanup(() => pipeline.stop());
  cleanup(() => server.close());
  await pipeline.start();
  const url = await server.listen();
  return { pipeline, url };
}

/** What every tier answers alike: a batch with a bad lead, then one lead enriched and read back. */
async function submitAndEnrich(pipeline: Pipeline, acceptedState: string): Promise<void> {
  const batch = await pipeline.submit([{ email: "ada@acme.example" }, { email: "nope" }]);
  expect(batch.accepted).toMatchObject([{ index: 0, state: acceptedState }]);
  expect(batch.rejected).toMatchObject([{ index: 1, issues: [{ path: "email" }] }]);
  const row = await pipeline.enrich(
    { email: "linus@kernel.example", company: "Kernel" },
    { timeout: 20_000 },
  );
  expect(row).toMatchObject({ email: "linus@kernel.example" });
  expect(row).toHaveProperty("icp_score");
  const status = await pipeline.status();
  expect(status.capacity).toMatchObject([{ workspace: "main", table: "leads" }]);
  if (status.tier !== "event") expect(status.busLag).toEqual([]);
}

describe("createPipeline(config) runs every tier from config alone", () => {
  it("direct: submit sends to Clay at once, enrich reads the row back through the public API", async () => {
    const running = await emulator();
    const config = configSchema.parse({
      ...baseConfig(running),
      tier: "direct",
      stateDir: makeTempDir("direct-tier"),
    });
    const pipeline = await createPipeline(config);
    await pipeline.start();
    cleanup(() => pipeline.stop());
    await submitAndEnrich(pipeline, "sent");
    expect(running.control.rows("t_leads").map((row) => row.fields.email)).toEqual([
      "ada@acme.example",
      "linus@kernel.example",
    ]);
    // A repeat within the dedupe window is not sent or paid for again.
    const again = await pipeline.submit({ email: "ada@acme.example" });
    expect(again.accepted).toMatchObject([{ index: 0, state: "duplicate" }]);
    expect(running.control.rows("t_leads")).toHaveLength(2);
    // What needs a lead store says so, and which tier has it.
    const refused = await pipeline.deadLetters.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ClaypipeError);
    expect((refused as ClaypipeError).hint).toContain("tier: standard");
    await expect(pipeline.leads.search({ email: "ada@acme.example" })).rejects.toThrow(
      "the direct tier keeps no lead store, so it has no leads to search",
    );
  });

  it("standard: the same calls on a SQLite store in this process", async () => {
    const running = await emulator();
    const { pipeline } = await serviceTier(running, {
      tier: "standard",
      store: { sqlite: { path: join(makeTempDir("standard-tier"), "claypipe.db") } },
    });
    await submitAndEnrich(pipeline, "queued");
  });

  it("queue: the same calls on PostgreSQL and BullMQ on Redis", async () => {
    const running = await emulator();
    const { topicPrefix: _, ...backends } = tierBackends(cleanup, "tiers");
    const { pipeline } = await serviceTier(running, { tier: "queue", ...backends });
    await submitAndEnrich(pipeline, "queued");
  });

  it("event: the same calls with leads carried on NATS JetStream to the enrichers", async () => {
    const running = await emulator();
    const { topicPrefix, ...backends } = tierBackends(cleanup, "tiers", { bus: true });
    const { pipeline, url } = await serviceTier(running, { tier: "event", ...backends });
    await submitAndEnrich(pipeline, "queued");

    // Another system publishes a lead of its own, and a message that is no lead at all.
    const other = await openBus({ nats: { servers: NATS_URL } });
    cleanup(() => other.close());
    await other.publish(`${topicPrefix}.incoming`, [
      encodeIncomingLead(
        { fields: { email: "grace@navy.example", company: "Navy" } },
        { key: "email:grace@navy.example", time: new Date().toISOString() },
      ),
      { key: "junk", value: new TextEncoder().encode("not json") },
    ]);
    await until("the published lead is in Clay", () =>
      running.control.rows("t_leads").some((row) => row.fields.email === "grace@navy.example"),
    );
    const letters: string[] = [];
    const stop = new AbortController();
    const reading = other.consume(
      { topic: `${topicPrefix}.dlq`, group: "reader", deadLetterTopic: `${topicPrefix}.dlq2` },
      async (message) => {
        letters.push(decodeDeadLetter(message).data.reason);
        return "ack";
      },
      stop.signal,
    );
    await until("the junk message is a dead letter", () => letters.length === 1);
    stop.abort();
    await reading;
    expect(letters).toEqual(["bad_message"]);
    // Its callback comes back like any other lead's: three leads enriched in all.
    await until("the published lead enriched", async () => {
      const { states } = await pipeline.status();
      return states.enriched + states.delivered === 3;
    });
    // The enrichers' lag on the incoming topic, in status (and /metrics): all acked by now.
    await until("every incoming message acked", async () => {
      const { busLag } = await pipeline.status();
      return busLag.length > 0 && busLag.every((lag) => lag.pending === 0);
    });
    expect((await pipeline.status()).busLag).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ topic: `${topicPrefix}.incoming`, group: "claypipe-enricher" }),
        expect.objectContaining({ topic: `${topicPrefix}.enriched`, group: "claypipe-router" }),
      ]),
    );
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `claypipe_bus_consumer_lag\\{topic="${topicPrefix}\\.incoming",group="claypipe-enricher",partition="[^"]+"\\} 0`,
      ),
    );
  });
});
