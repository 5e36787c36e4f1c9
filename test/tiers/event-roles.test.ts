/**
 * The event tier's four services as four pipelines, each a role, on one
 * PostgreSQL schema, Redis prefix and NATS topics of the test's own: intake
 * and receiver each serve only their routes, the receiver puts every callback
 * on the results topic (without the callback URL), the router delivers each
 * lead once to the file sink, and every lead's transitions are on the
 * lead-events topic in the order they happened.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BusMessage } from "../../src/bus/bus.js";
import { openBus } from "../../src/bus/open-bus.js";
import { decodeEnrichedContact } from "../../src/bus/topics/enriched-contact.js";
import { decodeLeadTransition } from "../../src/bus/topics/lead-transition.js";
import { type ClaypipeConfigInput, configSchema } from "../../src/config/schema.js";
import { freePort } from "../../src/demo/free-port.js";
import { createPipeline, createServer } from "../../src/index.js";
import { dutiesOf, type PipelineRole } from "../../src/tiers/pipeline-role.js";
import { NATS_URL } from "../bus/fixtures/nats-server.js";
import { makeTempDir } from "../temp-dirs.js";
import {
  startTierEmulator,
  TABLE_ID,
  tierBackends,
  tierClay,
  until,
  useCleanup,
} from "./tier-kit.js";

const LEADS = 30;
const cleanup = useCleanup();

describe("the event tier's roles", () => {
  it("intake, enricher, receiver and router: each lead on the results topic, delivered once", async () => {
    const running = await startTierEmulator(cleanup);
    const { topicPrefix, ...backends } = tierBackends(cleanup, "roles", { bus: true });
    const sinkFile = join(makeTempDir("event-roles"), "out.jsonl");
    const [intakePort, receiverPort] = [await freePort(), await freePort()];
    const settings: ClaypipeConfigInput = {
      tier: "event",
      clay: tierClay(running),
      callbacks: {
        baseUrl: `http://127.0.0.1:${receiverPort}`,
        secret: randomBytes(32).toString("hex"),
      },
      ...backends,
      sinks: [{ name: "out", type: "file", path: sinkFile }],
      routes: { default: ["out"] },
      logLevel: "silent",
    };
    const start = async (role: PipelineRole, port?: number) => {
      const config = configSchema.parse({ ...settings, ...(port ? { server: { port } } : {}) });
      const pipeline = await createPipeline(config, { role });
      const server = port
        ? await createServer({ pipeline, config, serves: dutiesOf(role) })
        : undefined;
      cleanup(() => pipeline.stop());
      cleanup(async () => server?.close());
      await pipeline.start();
      return { pipeline, url: await server?.listen() };
    };
    const intake = await start("intake", intakePort);
    const receiver = await start("receiver", receiverPort);
    await start("enricher");
    await start("router");

    // Each HTTP role serves its own routes only.
    const post = (url: string, path: string) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    expect((await post(receiver.url!, "/v1/leads")).status).toBe(404);
    expect((await post(intake.url!, "/v1/callbacks/clay/some-token")).status).toBe(404);

    const results: { leadId: string; row: Record<string, unknown> }[] = [];
    const transitions = new Map<string, string[]>();
    const reader = await openBus({ nats: { servers: NATS_URL } });
    const stopReading = new AbortController();
    const read = (topic: string, take: (message: BusMessage) => void) =>
      reader.consume(
        { topic, group: "downstream", deadLetterTopic: `${topicPrefix}.reader-dlq` },
        async (message) => {
          take(message);
          return "ack";
        },
        stopReading.signal,
      );
    const reading = Promise.all([
      read(`${topicPrefix}.enriched`, (message) =>
        results.push(decodeEnrichedContact(message).data),
      ),
      read(`${topicPrefix}.events`, (message) => {
        const { leadId, from, to } = decodeLeadTransition(message).data;
        transitions.set(leadId, [...(transitions.get(leadId) ?? []), `${from ?? "new"}>${to}`]);
      }),
    ]);
    cleanup(async () => {
      stopReading.abort();
      await reading;
      await reader.close();
    });

    const leads = Array.from({ length: LEADS }, (_, i) => ({ email: `p${i}@roles.example` }));
    const { accepted } = await intake.pipeline.submit(leads);
    expect(accepted).toHaveLength(LEADS);
    await until("every lead delivered", async () => {
      const { states } = await intake.pipeline.status();
      return states.delivered === LEADS;
    });
    await until("every result on the topic", () => results.length >= LEADS);

    const ids = accepted.map((lead) => lead.id).sort();
    expect([...new Set(results.map((result) => result.leadId))].sort()).toEqual(ids);
    for (const { row } of results) {
      expect(row).toHaveProperty("icp_score");
      expect(row).not.toHaveProperty("callback_url");
    }
    // Each lead's life, in order, as a downstream service reads it.
    await until("every lead's transitions published", () =>
      ids.every((id) => transitions.get(id)?.at(-1) === "enriched>delivered"),
    );
    for (const id of ids) {
      const { history } = (await intake.pipeline.getLead(id))!;
      expect(transitions.get(id)).toEqual(
        history.map((step) => `${step.from ?? "new"}>${step.to}`),
      );
      expect(transitions.get(id)).toEqual(
        expect.arrayContaining(["new>received", "queued>sending", "awaiting_callback>enriched"]),
      );
    }
    const delivered = readFileSync(sinkFile, "utf8").trim().split("\n");
    expect(delivered).toHaveLength(LEADS);
    expect(running.control.rows(TABLE_ID)).toHaveLength(LEADS);
  });
});
