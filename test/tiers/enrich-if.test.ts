import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openBus } from "../../src/bus/open-bus.js";
import { decodeLeadTransition } from "../../src/bus/topics/lead-transition.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  type Pipeline,
} from "../../src/index.js";
import { NATS_URL } from "../bus/fixtures/nats-server.js";
import { makeTempDir } from "../temp-dirs.js";
import {
  readJsonl,
  startService,
  startTierEmulator,
  TABLE_ID,
  tierBackends,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();

/** A started pipeline of the tier whose free-mail leads a rule skips, with a file sink per outcome. */
async function skippingPipeline(
  running: RunningEmulator,
  settings: Partial<ClaypipeConfigInput>,
): Promise<{ pipeline: Pipeline; dir: string }> {
  const dir = makeTempDir("enrich-if");
  const { pipeline } = await startService(cleanup, {
    ...settings,
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          costEstimate: { actions: 1, data: 6 },
          tables: [
            { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
          ],
        },
      ],
    },
    enrichIf: [{ name: "no_free_mail", when: 'email_domain not in ["gmail.com", "yahoo.com"]' }],
    sinks: [
      { type: "file", name: "enriched", path: join(dir, "enriched.jsonl") },
      { type: "file", name: "kept_out", path: join(dir, "kept-out.jsonl") },
    ],
    routes: {
      rules: [{ name: "free_mail", when: "true", to: ["kept_out"], on: ["skipped"] }],
      default: ["enriched"],
    },
    logLevel: "silent",
  });
  return { pipeline, dir };
}

/** What every tier does alike with one free-mail lead and one worth a credit. */
async function skipsFreeMail(
  running: RunningEmulator,
  { pipeline, dir }: { pipeline: Pipeline; dir: string },
): Promise<string> {
  const { accepted } = await pipeline.submit([
    { email: "ada@gmail.com", first_name: "Ada" },
    { email: "linus@kernel.example", company: "Kernel" },
  ]);
  expect(accepted.map((entry) => entry.state)).toEqual(["skipped", "queued"]);
  const skippedId = accepted[0]!.id;

  await until(
    "the enriched lead delivered",
    async () => (await readJsonl(join(dir, "enriched.jsonl"))).length === 1,
  );
  await until(
    "the skipped lead delivered",
    async () => (await readJsonl(join(dir, "kept-out.jsonl"))).length === 1,
  );
  expect(await readJsonl(join(dir, "kept-out.jsonl"))).toMatchObject([
    {
      claypipe_id: skippedId,
      email: "ada@gmail.com",
      skipped_by: "no_free_mail",
      route: "free_mail",
    },
  ]);
  expect(await readJsonl(join(dir, "enriched.jsonl"))).toMatchObject([
    { email: "linus@kernel.example" },
  ]);
  expect(running.control.rows(TABLE_ID).map((row) => row.fields.email)).toEqual([
    "linus@kernel.example",
  ]);

  expect((await pipeline.getLead(skippedId))?.lead).toMatchObject({
    state: "skipped",
    routes: ["free_mail"],
  });
  // The sink has the record a moment before the lead is marked delivered.
  await until(
    "the enriched lead delivered",
    async () => (await pipeline.status()).states.delivered === 1,
  );
  const status = await pipeline.status();
  expect(status.states).toMatchObject({ skipped: 1, delivered: 1 });
  expect(status.creditsSavedByRules).toEqual({ actions: 1, data: 6 });
  // Waiting for a skipped lead's result ends at once: it will never have one.
  const waited = pipeline.enrich({ email: "grace@yahoo.com" }, { timeout: 20_000 });
  await expect(waited).rejects.toMatchObject({
    code: "input_invalid",
    message: expect.stringContaining('skipped by enrichIf rule "no_free_mail"'),
  });
  return skippedId;
}

describe("enrichIf: skipped leads on every tier with a store", () => {
  it("direct: no store, so a skipped lead is only answered as skipped, never sent", async () => {
    const running = await startTierEmulator(cleanup);
    const pipeline = await createPipeline(
      configSchema.parse({
        tier: "direct",
        clay: {
          workspaces: [
            {
              name: "main",
              tables: [{ name: "leads", webhooks: [{ url: running.webhookUrl(TABLE_ID) }] }],
            },
          ],
        },
        enrichIf: [{ name: "no_free_mail", when: 'email_domain != "gmail.com"' }],
        stateDir: makeTempDir("enrich-if-direct"),
        logLevel: "silent",
      }),
    );
    cleanup(() => pipeline.stop());
    const { accepted } = await pipeline.submit([
      { email: "ada@gmail.com" },
      { email: "linus@kernel.example" },
    ]);
    expect(accepted.map((entry) => entry.state)).toEqual(["skipped", "sent"]);
    const refused = await pipeline.enrich({ email: "grace@gmail.com" }).catch((error) => error);
    expect(refused).toMatchObject({
      code: "input_invalid",
      message: 'the lead is not sent to Clay: skipped by enrichIf rule "no_free_mail"',
    });
    expect(running.control.rows(TABLE_ID).map((row) => row.fields.email)).toEqual([
      "linus@kernel.example",
    ]);
  });

  it("standard: on a SQLite store", async () => {
    const running = await startTierEmulator(cleanup);
    const tier = await skippingPipeline(running, tierSettings(cleanup, "standard", "enrich_if"));
    await skipsFreeMail(running, tier);
  });

  it("queue: on PostgreSQL and BullMQ", async () => {
    const running = await startTierEmulator(cleanup);
    const tier = await skippingPipeline(running, tierSettings(cleanup, "queue", "enrich_if"));
    await skipsFreeMail(running, tier);
  });

  it("event: on NATS JetStream, with the skipped lead's transitions on the lead-events topic", async () => {
    const running = await startTierEmulator(cleanup);
    const { topicPrefix, ...backends } = tierBackends(cleanup, "enrich_if", { bus: true });
    const tier = await skippingPipeline(running, { tier: "event", ...backends });
    const skippedId = await skipsFreeMail(running, tier);

    const reader = await openBus({ nats: { servers: NATS_URL } });
    cleanup(() => reader.close());
    const moves: string[] = [];
    const stop = new AbortController();
    const reading = reader.consume(
      { topic: `${topicPrefix}.events`, group: "audit", deadLetterTopic: `${topicPrefix}.dlq` },
      async (message) => {
        const { data } = decodeLeadTransition(message);
        if (data.leadId === skippedId) moves.push(`${data.from ?? ""}>${data.to}`);
        return "ack";
      },
      stop.signal,
    );
    await until("the skipped lead's transitions published", () => moves.length === 3);
    stop.abort();
    await reading;
    expect(moves).toEqual([">received", "received>skipped", "skipped>skipped"]);
  });
});
