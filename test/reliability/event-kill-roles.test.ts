/**
 * kill -9 one process of each event-tier role mid-run: intake and receiver
 * (each on its own port, started again on it, as a supervisor would), one of
 * two enrichers and one of two routers (the other carries on). Every lead
 * intake accepted ends delivered, once, in the PostgreSQL sink.
 *
 * What each kill may cost: the enricher's sends in flight go again once their
 * `queue.sendLease` ends (at most `sender.concurrency` rows twice at Clay);
 * Clay's callbacks to the dead receiver are retried by its HTTP API column
 * until the receiver is back; the router's unacked results go to the other
 * router, and the inbox holds each callback until it is routed; intake's
 * request in flight gets no answer, so its leads were never accepted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeClayFigures, expectEachDeliveredOnce, interruptedSends } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";
import { killHard } from "./service-harness.js";

const LEADS_PER_ROUND = 150;
const CONCURRENCY = 8;
/** Each send stays in flight this long at Clay, so the killed enricher surely holds some. */
const WEBHOOK_LATENCY_MS = 150;

let services: QueueServices | undefined;
afterEach(async () => {
  await services?.close();
  services = undefined;
});

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("kill -9 one process of each event-tier role", () => {
  it("loses no accepted lead, and delivers each once", async () => {
    const running = await startQueueServices({
      eventTier: true,
      splitHttpRoles: true,
      rateLimit: { perSecond: 100, burst: 50 },
      concurrency: CONCURRENCY,
      webhookLatencyMs: WEBHOOK_LATENCY_MS,
      queue: { sendLease: "3s" },
    });
    services = running;
    const [enricher] = [await running.startRole("enricher"), await running.startRole("enricher")];
    const [router] = [await running.startRole("router"), await running.startRole("router")];
    const rowsAtClay = () => running.emulator.control.rows("t_queue").length;

    const ids = await running.submit(LEADS_PER_ROUND, "roles-a");
    await until("rows reach Clay", () => rowsAtClay() >= 40);
    await killHard(enricher!);
    await until("results reach the sink", async () => (await running.sinkIds()).length >= 20);
    await killHard(router!);

    // The receiver: Clay's callbacks fail until it is back on its port.
    await killHard(running.receiver!);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await running.restartHttp("receiver");

    // Intake, between two batches: the next batch goes to the one started again.
    await killHard(running.api);
    await running.restartHttp("api");
    ids.push(...(await running.submit(LEADS_PER_ROUND, "roles-b")));

    await running.waitForSettled(ids.length, 60_000);
    const clay = await expectEachDeliveredOnce(running, ids);
    expect(clay.rateLimited).toBe(0);
    // Only the dead enricher's interrupted sends may have gone twice.
    const resent = await interruptedSends(running, ids);
    const unexplained = clay.duplicatedLeads.filter((id) => !resent.includes(id));
    expect(unexplained, await running.describeLeads(unexplained)).toEqual([]);
    expect(clay.duplicateRows).toBeLessThanOrEqual(CONCURRENCY);
    const callbacks = running.emulator.control.snapshot().callbacks;
    console.log(
      `event tier, kill -9 of intake, receiver, 1 of 2 enrichers, 1 of 2 routers; ${ids.length} leads: ` +
        `${resent.length} sends resent; ${describeClayFigures(clay)}; callbacks retried ${callbacks.retried}`,
    );
  }, 120_000);
});
