/**
 * kill -9 one of three enrichers of the event tier (leads on NATS JetStream)
 * while it holds sends: its unacked messages go back to the group, which
 * leaves leads still `sending` alone; the lost-send sweep puts them back in
 * the outbox once their `queue.sendLease` ends, the feeder publishes them
 * again, and every lead ends delivered, in the sink once. The credit ledger
 * ends at one estimate per lead.
 *
 * The at-least-once window is the queue tier's: a send in flight when its
 * enricher died may have reached Clay and goes again, at most
 * `sender.concurrency` rows per kill. The test counts them and prints them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeClayFigures, expectEachDeliveredOnce, interruptedSends } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";
import { killHard } from "./service-harness.js";

const LEADS = 400;
const CONCURRENCY = 8;
/** The workspace's default cost estimate: the ledger reserves it per lead and settles it at the callback. */
const ESTIMATE = 10;
/** Each send stays in flight this long at Clay, so the killed enricher surely holds some. */
const WEBHOOK_LATENCY_MS = 250;

let services: QueueServices | undefined;
afterEach(async () => {
  await services?.close();
  services = undefined;
});

describe("kill -9 an event-tier enricher mid-run", () => {
  it("loses no lead: its sends go again after their lease, each lead is delivered once", async () => {
    services = await startQueueServices({
      eventTier: true,
      rateLimit: { perSecond: 100, burst: 50 },
      concurrency: CONCURRENCY,
      webhookLatencyMs: WEBHOOK_LATENCY_MS,
      // A short send lease: the dead enricher's sends are found within seconds.
      queue: { sendLease: "3s" },
      dataCap: LEADS * ESTIMATE,
    });
    const [victim] = await Promise.all([
      services.startWorker(),
      services.startWorker(),
      services.startWorker(),
    ]);
    const ids = await services.submit(LEADS, "ekill");
    expect(ids).toHaveLength(LEADS);

    const { emulator } = services;
    while (emulator.control.snapshot().workspaces[0]!.tables[0]!.rowCount < 80) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await killHard(victim);

    await services.waitForSettled(LEADS, 60_000);
    const clay = await expectEachDeliveredOnce(services, ids);
    // Sends the dead enricher had in flight went again (none when the group had given it
    // no message at that moment: NATS hands pull batches to whichever member asks first).
    const resent = await interruptedSends(services, ids);
    expect(clay.rateLimited).toBe(0);
    // Only interrupted sends went twice: the sends one enricher holds.
    const unexplained = clay.duplicatedLeads.filter((id) => !resent.includes(id));
    expect(unexplained, await services.describeLeads(unexplained)).toEqual([]);
    expect(clay.duplicateRows).toBeLessThanOrEqual(CONCURRENCY);

    const day = `day:${new Date().toISOString().slice(0, 10)}`;
    const ledger = await services.store.ledger.used("workspace:ws", day);
    expect(ledger.data).toBe(LEADS * ESTIMATE);
    console.log(
      `event tier, kill -9 of 1 of 3 enrichers, ${LEADS} leads: ${resent.length} sends resent; ` +
        `${describeClayFigures(clay)}; ledger ${ledger.data}/${LEADS * ESTIMATE} data credits`,
    );
  }, 90_000);
});
