/**
 * A NATS restart under the event tier: an API process and two enrichers on a
 * nats-server of the test's own (its own port and JetStream directory), which
 * is stopped while leads flow and started again on the same port and
 * directory a few seconds later. Intake keeps answering meanwhile (it writes
 * to PostgreSQL; the feeder publishes from there), the services reconnect by
 * themselves, and every accepted lead ends delivered, in the sink once.
 *
 * While NATS is away, feeds fail (their leads are fed again once their feed
 * lease ends) and acks may be lost (the message comes again, and the enricher
 * leaves a lead already sent): a lead reaches Clay twice only if a send was
 * cut off, which a broker outage does not do. The test counts and prints them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { OwnNatsServer } from "../bus/fixtures/nats-server.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { describeClayFigures, expectEachDeliveredOnce } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";
import type { ClaypipeProcess } from "./service-harness.js";

const BEFORE = 300;
const DURING = 100;
const CONCURRENCY = 8;
const OUTAGE_MS = 3000;
/** Each send stays in flight this long at Clay, so sends are in flight when NATS stops. */
const WEBHOOK_LATENCY_MS = 100;

let server: OwnNatsServer | undefined;
let services: QueueServices | undefined;
let progress: ReturnType<typeof sampleProgress> | undefined;
afterEach(async () => {
  progress?.stop();
  progress = undefined;
  await services?.close();
  services = undefined;
  await server?.stop();
  server = undefined;
  removeTempDirs();
});

const alive = (service: ClaypipeProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

describe("NATS stopped and started again under the event tier", () => {
  it("loses no lead, and the services recover by themselves", async () => {
    server = await OwnNatsServer.start(makeTempDir("event-nats-restart"));
    services = await startQueueServices({
      eventTier: true,
      natsUrl: server.url,
      rateLimit: { perSecond: 100, burst: 50 },
      concurrency: CONCURRENCY,
      webhookLatencyMs: WEBHOOK_LATENCY_MS,
      queue: { sendLease: "3s" },
    });
    const running = services;
    await Promise.all([running.startWorker(), running.startWorker()]);
    progress = sampleProgress(running);
    const ids = await running.submit(BEFORE, "enats");

    const rowsAtClay = () => running.emulator.control.snapshot().workspaces[0]!.tables[0]!.rowCount;
    while (rowsAtClay() < 60) await new Promise((resolve) => setTimeout(resolve, 20));
    await server.stop();
    const rowsAtStop = rowsAtClay();
    const stoppedAt = Date.now();

    // Intake during the outage: it writes to PostgreSQL, so it answers 202 as before.
    const during = await running.submit(DURING, "enats-down");
    const intakeMs = Date.now() - stoppedAt;
    ids.push(...during);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - stoppedAt)));
    await server.resume();
    const resumedAt = Date.now();
    const rowsAtResume = rowsAtClay();
    // The first send after the restart (waitForSettled below says what is wrong if none comes).
    while (rowsAtClay() === rowsAtResume && Date.now() - resumedAt < 30_000)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const firstSendMs = Date.now() - resumedAt;

    await running.waitForSettled(BEFORE + DURING, 45_000).catch((error: unknown) => {
      console.log(progress?.describe());
      throw error;
    });
    const settledMs = Date.now() - stoppedAt;
    const clay = await expectEachDeliveredOnce(running, ids);
    // Recovered by themselves: the processes that ran before the outage did all of it.
    expect([running.api, ...running.workers].every(alive), running.logs()).toBe(true);
    expect(clay.rateLimited).toBe(0);
    // A broker outage cuts off no send to Clay: at most the sends one enricher holds go twice.
    expect(clay.duplicateRows).toBeLessThanOrEqual(CONCURRENCY);

    const warnings = running
      .logs()
      .split("\n")
      .filter((line) => /"level":[4-6]0/.test(line));
    console.log(
      `event tier, NATS down ${OUTAGE_MS} ms, ${BEFORE} leads before + ${DURING} during: ` +
        `${rowsAtStop} rows at Clay at the stop, ${rowsAtResume} at the restart, ` +
        `the next ${firstSendMs} ms after the restart; ` +
        `intake of ${DURING} during the outage answered 202 in ${intakeMs} ms; ` +
        `all settled ${settledMs} ms after the stop; ${describeClayFigures(clay)}; ` +
        `${warnings.length} warnings and errors logged`,
    );
  }, 90_000);
});

/** The leads' states, rows at Clay and callbacks every second, for a failure message. */
function sampleProgress(services: QueueServices) {
  const started = Date.now();
  const lines: string[] = [];
  const timer = setInterval(async () => {
    const states = await services.store.leads.countByState().catch(() => undefined);
    if (states === undefined) return;
    const { callbacks, workspaces } = services.emulator.control.snapshot();
    lines.push(
      `${Date.now() - started} ms: ${states.queued} queued, ${states.sending} sending, ` +
        `${states.awaiting_callback} awaiting callback, ${states.delivered} delivered; ` +
        `${workspaces[0]!.tables[0]!.rowCount} rows at Clay, ${callbacks.delivered} callbacks`,
    );
  }, 1000);
  return {
    stop: () => clearInterval(timer),
    describe: () => lines.join("\n"),
  };
}
