/**
 * The event tier's credit budget running out mid-run, with three enricher
 * processes racing for it (leads on NATS JetStream): the daily data cap
 * affords half the leads. Every lead it refused is dead in the store as
 * `budget` and a `budget` letter in the dead-letter topic, read back here; the
 * ledger never passes the cap, sampled throughout. Then the window opens the
 * way it can on this machine today — the cap raised in the config and the
 * enrichers restarted (credit windows are UTC days: waiting for midnight is
 * not a test) — and `claypipe dlq replay --from-topic` sends each refused lead
 * on: every lead ends delivered once, each reached Clay once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Bus } from "../../src/bus/bus.js";
import { openBus } from "../../src/bus/open-bus.js";
import { type DeadLetter, decodeDeadLetter } from "../../src/bus/topics/dead-letter-event.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { NATS_URL } from "../bus/fixtures/nats-server.js";
import { describeClayFigures, expectEachDeliveredOnce } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";
import { stopGracefully } from "./service-harness.js";

const LEADS = 120;
/** The workspace's default cost estimate: the ledger reserves it per lead and settles it at the callback. */
const ESTIMATE = 10;
/** Today's cap: half the leads. */
const CAP = (LEADS / 2) * ESTIMATE;

let services: QueueServices | undefined;
let bus: Bus | undefined;
afterEach(async () => {
  await bus?.close();
  await services?.close();
  services = undefined;
  bus = undefined;
});

describe("the credit budget runs out mid-run in the event tier", () => {
  it("dead-letters each refused lead as `budget`, never over the cap, and replays each once", async () => {
    services = await startQueueServices({
      eventTier: true,
      rateLimit: { perSecond: 100, burst: 50 },
      dataCap: CAP,
    });
    await Promise.all([services.startWorker(), services.startWorker(), services.startWorker()]);
    const day = windowAt("day", Date.now());
    const ledger = async () => (await services!.store.ledger.used("workspace:ws", day.key)).data;

    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string) =>
      phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const ids = await services.submit(LEADS, "ebudget");
    expect(ids).toHaveLength(LEADS);
    // The ledger, sampled while the three enrichers race for the last credits.
    let highest = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        highest = Math.max(highest, await ledger());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await services.waitForSettled(LEADS, 40_000);
    phase("settled");
    sampling = false;
    await sampler;
    highest = Math.max(highest, await ledger());
    expect(highest).toBeLessThanOrEqual(CAP);

    const { leads: dead } = await services.store.leads.list({ states: ["dead"], limit: LEADS });
    expect(dead.every((lead) => lead.reason === "budget")).toBe(true);
    // Atomic reservations: the cap affords exactly its share, and every other lead was refused.
    expect(dead).toHaveLength(LEADS - CAP / ESTIMATE);
    const letters = await readBudgetLetters(services.deadLetterTopic, dead.length);
    const lettered = letters.map((letter) => leadIdOf(letter));
    expect(new Set(lettered).size, "one letter per refused lead").toBe(lettered.length);
    expect(new Set(lettered)).toEqual(new Set(dead.map((lead) => lead.id)));
    for (const letter of letters) {
      expect(letter.replayableAfter).toBe(new Date(day.end).toISOString());
    }
    phase("letters read");
    const refusedAt = { sentToClay: services.clayFigures().rows, ledger: await ledger() };

    // The window opens: the cap raised, the enrichers restarted with it; then the replay.
    services.setDataCap(LEADS * ESTIMATE);
    const old = services.workers.splice(0);
    await Promise.all(old.map((worker) => stopGracefully(worker)));
    await Promise.all([services.startWorker(), services.startWorker(), services.startWorker()]);
    phase("enrichers restarted");
    const replay = await services.cli(["dlq", "replay", "--from-topic"]);
    phase("replayed");
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`replayed ${dead.length}\n`);
    expect(replay.stdout).toContain("skipped 0 ");

    await services.waitForSettled(LEADS, 40_000);
    phase("settled again");
    const clay = await expectEachDeliveredOnce(services, ids);
    expect(clay.duplicateRows).toBe(0);
    expect(clay.rateLimited).toBe(0);
    expect(await ledger()).toBe(LEADS * ESTIMATE);
    // A second replay of the topic finds nothing to do.
    const again = await services.cli(["dlq", "replay", "--from-topic"]);
    expect(again.stdout).toContain("replayed 0\n");

    console.log(
      `event tier, daily data cap ${CAP} with 3 enrichers racing, ${LEADS} leads: ` +
        `${refusedAt.sentToClay} sent, ${dead.length} refused, each in the dead-letter topic as budget ` +
        `(${letters.length} letters); ledger at most ${highest}/${CAP} during the run (${refusedAt.ledger} at its end); ` +
        `after raising the cap to ${LEADS * ESTIMATE} and \`dlq replay --from-topic\`: ${replay.stdout.trim().replaceAll("\n", "; ")}; ` +
        `${describeClayFigures(clay)}; ledger ${await ledger()}; at ${phases.join(", ")}`,
    );
  }, 90_000);
});

function leadIdOf(letter: DeadLetter): string | undefined {
  return letter.original && "leadId" in letter.original ? letter.original.leadId : undefined;
}

/** The dead-letter topic's `budget` letters, read by a group of the test's own until `count` came. */
async function readBudgetLetters(topic: string, count: number): Promise<DeadLetter[]> {
  bus = await openBus({ nats: { servers: NATS_URL } });
  const letters: DeadLetter[] = [];
  const stop = new AbortController();
  const reading = bus.consume(
    { topic, group: "test-reader", deadLetterTopic: `${topic}-reader`, concurrency: 16 },
    async (message) => {
      const letter = decodeDeadLetter(message).data;
      if (letter.reason === "budget") letters.push(letter);
      return "ack";
    },
    stop.signal,
  );
  const deadline = Date.now() + 20_000;
  while (letters.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A little longer: a letter beyond `count` would be one refusal published twice.
  await new Promise((resolve) => setTimeout(resolve, 500));
  stop.abort();
  await reading;
  return letters;
}
