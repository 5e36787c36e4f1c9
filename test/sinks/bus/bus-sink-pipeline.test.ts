/**
 * The bus sink wired into a standard-tier pipeline: the top-level `bus`
 * reaches the sink factory, and an enriched lead routed to a bus sink ends up
 * on the topic as its CloudEvent (emulated Clay, the machine's NATS).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCloudEvent } from "../../../src/bus/cloud-event.js";
import { createNatsBus } from "../../../src/bus/nats/nats-bus.js";
import { freePort } from "../../../src/demo/free-port.js";
import { startEmulator } from "../../../src/emulator/index.js";
import { configSchema, createPipeline, createServer } from "../../../src/index.js";
import { until } from "../../bus/bus-contract.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../../bus/fixtures/nats-server.js";
import { makeTempDir, removeTempDirs } from "../../temp-dirs.js";
import { readTopic } from "./read-topic.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  removeTempDirs();
});

describe("bus sink in a standard-tier pipeline", () => {
  it("publishes a routed result to the topic through the top-level bus", async () => {
    const prefix = uniqueTopicPrefix("bus-sink-pipeline");
    const topic = `${prefix}.enriched`;
    cleanup.push(() => deleteStreams(NATS_URL, prefix));
    const emulator = await startEmulator({
      timeScale: 2000,
      workspaces: [
        {
          id: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          tables: [{ id: "t", webhooks: [{}] }],
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
            tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t") }] }],
          },
        ],
      },
      callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
      server: { port },
      store: { sqlite: { path: join(makeTempDir("bus-sink"), "claypipe.db") } },
      bus: { nats: { servers: NATS_URL } },
      sinks: [{ name: "events", type: "bus", topic }],
      routes: { default: ["events"] },
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

    const row = await pipeline.enrich({ email: "ada@acme.example" }, { timeout: 20_000 });
    const probe = await createNatsBus({ servers: NATS_URL });
    cleanup.push(() => probe.close());
    await until("the event is on the topic", async () => {
      const [lag] = await probe.lag(topic, "probe");
      return (lag?.pending ?? 0) >= 1;
    });
    const [message, ...more] = await readTopic(topic);
    expect(more).toEqual([]);
    expect(message!.key).toBe("email:ada@acme.example");
    const event = decodeCloudEvent(message!);
    expect(event.type).toBe("com.claypipe.lead.routed");
    expect(event.data).toMatchObject({
      ...row,
      identity: "email:ada@acme.example",
      route: "default",
    });
  });
});
