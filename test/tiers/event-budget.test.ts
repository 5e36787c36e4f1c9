/**
 * The event tier's credit budget on the machine's NATS JetStream, PostgreSQL
 * and Redis, with the emulator as Clay: leads a daily cap refuses are dead as
 * `budget` in the store and `budget` letters on the dead-letter topic;
 * a replay (of the store, or of the topic) holds them while the cap has no
 * room, and replays each once after a restart with a raised cap, skipping a
 * lead replayed before and passing over a letter of a message that was no lead.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openBus } from "../../src/bus/open-bus.js";
import { type DeadLetter, decodeDeadLetter } from "../../src/bus/topics/dead-letter-event.js";
import { freePort } from "../../src/demo/free-port.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { NATS_URL } from "../bus/fixtures/nats-server.js";
import { startTierEmulator, tierBackends, until, useCleanup } from "./tier-kit.js";

const cleanup = useCleanup();

/** Two leads' estimates (data 10 each) a day. */
const CAP = 20;

const emulator = () => startTierEmulator(cleanup, { enrichment: { notFoundRate: 0 } });

/** An event-tier pipeline with its server, started; `dataCap` is the workspace's daily data cap. */
async function eventPipeline(
  running: RunningEmulator,
  backends: ReturnType<typeof tierBackends>,
  dataCap: number,
): Promise<Pipeline> {
  const port = await freePort();
  const input: ClaypipeConfigInput = {
    tier: "event",
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          costEstimate: { actions: 1, data: 10 },
          credits: { daily: { data: dataCap } },
          tables: [
            { name: "leads", id: "t_leads", webhooks: [{ url: running.webhookUrl("t_leads") }] },
          ],
        },
      ],
    },
    store: backends.store,
    queue: backends.queue,
    bus: backends.bus,
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    server: { port },
    logLevel: "silent",
  };
  const config = configSchema.parse(input);
  const pipeline = await createPipeline(config);
  const server = await createServer({ pipeline, config });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await pipeline.stop();
  };
  cleanup(stop);
  await pipeline.start();
  await server.listen();
  return Object.assign(Object.create(pipeline) as Pipeline, { stop });
}

describe("the event tier's credit budget", () => {
  it("dead-letters refused leads to the topic, and replays them from it once the cap has room", async () => {
    const running = await emulator();
    const backends = tierBackends(cleanup, "ebudget", { bus: true });
    const first = await eventPipeline(running, backends, CAP);
    const { accepted } = await first.submit(
      Array.from({ length: 5 }, (_, index) => ({ email: `budget${index}@acme.example` })),
    );
    const ids = accepted.map((lead) => lead.id);
    await until("two enriched, three dead", async () => {
      const { states } = await first.status();
      return states.delivered + states.enriched === 2 && states.dead === 3;
    });
    const dead = (await first.deadLetters.list({ reason: "budget" })).leads;
    expect(dead).toHaveLength(3);
    const midnight = windowAt("day", Date.now()).end;
    for (const lead of dead) expect(lead.availableAt).toBe(midnight);

    // A message that is no lead: its letter is passed over by the replay.
    const other = await openBus({ nats: { servers: NATS_URL } });
    cleanup(() => other.close());
    await other.publish(`${backends.topicPrefix}.incoming`, [
      { key: "junk", value: new TextEncoder().encode("not json") },
    ]);
    const letters = await readLetters(other, `${backends.topicPrefix}.dlq`, 4);
    const budget = letters.filter((letter) => letter.reason === "budget");
    expect(budget.map((letter) => leadIdOf(letter)).sort()).toEqual(
      dead.map((lead) => lead.id).sort(),
    );
    for (const letter of budget) {
      expect(letter.replayableAfter).toBe(new Date(midnight).toISOString());
    }

    // The cap has no room today: the leads stay dead, and the replay says until when.
    expect(await first.deadLetters.replay({ reason: "budget" })).toEqual({
      replayed: 0,
      heldByBudget: { leads: 3, replayableAfter: midnight },
    });
    await first.stop();

    // Restarted with a raised cap: one lead replayed from the store, then the topic.
    const second = await eventPipeline(running, backends, 10 * CAP);
    expect(await second.deadLetters.replay({ ids: [dead[0]!.id] })).toEqual({ replayed: 1 });
    expect(await second.deadLetters.replayTopic()).toEqual({
      replayed: 2,
      skipped: 1,
      notLeads: { bad_message: 1 },
    });
    await until("every lead enriched", async () => {
      const { states } = await second.status();
      return states.delivered + states.enriched === 5;
    });
    // Each lead reached Clay once.
    const rows = running.control.rows("t_leads").map((row) => String(row.fields.claypipe_id));
    expect(rows.sort()).toEqual([...ids].sort());
    // Drained: a second replay of the topic finds nothing.
    expect(await second.deadLetters.replayTopic()).toEqual({
      replayed: 0,
      skipped: 0,
      notLeads: {},
    });
  }, 60_000);
});

function leadIdOf(letter: DeadLetter): string | undefined {
  return letter.original && "leadId" in letter.original ? letter.original.leadId : undefined;
}

/** The first `count` letters of the topic, read by a group of the test's own. */
async function readLetters(
  bus: Awaited<ReturnType<typeof openBus>>,
  topic: string,
  count: number,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const stop = new AbortController();
  const reading = bus.consume(
    { topic, group: "test-reader", deadLetterTopic: `${topic}-reader-dlq` },
    async (message) => {
      letters.push(decodeDeadLetter(message).data);
      return "ack";
    },
    stop.signal,
  );
  await until(`${count} letters in ${topic}`, () => letters.length >= count);
  stop.abort();
  await reading;
  return letters;
}
