/**
 * PostgreSQL drops every connection of the claypipe processes mid-run
 * (pg_terminate_backend from the server side, as a failover or an admin
 * does), several times: the pools open fresh connections, the statements
 * that failed run again through their loops and job retries, and every lead
 * ends delivered, in the sink once, with none stuck on the way.
 *
 * The at-least-once window: a send whose result could not be written (its
 * connection dropped just after Clay took the row) is sent again by the job's
 * retry. The duplicate Clay rows and their data credits are counted and printed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeClayFigures, expectEachDeliveredOnce, interruptedSends } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";

const LEADS = 300;
const CUTS = 4;

let services: QueueServices | undefined;
afterEach(async () => {
  await services?.close();
  services = undefined;
});

describe("PostgreSQL drops the connections mid-run", () => {
  it("recovers by itself: every lead delivered once, none stuck", async () => {
    services = await startQueueServices({
      rateLimit: { perSecond: 100, burst: 50 },
      webhookLatencyMs: 50,
    });
    await Promise.all([services.startWorker(), services.startWorker()]);
    const ids = await services.submit(LEADS, "pgdrop");
    expect(ids).toHaveLength(LEADS);

    const { emulator } = services;
    while (emulator.control.snapshot().workspaces[0]!.tables[0]!.rowCount < 30) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let cut = 0;
    for (let round = 0; round < CUTS; round++) {
      cut += await services.cutDatabaseConnections();
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    // The cuts hit open connections: the services were using the store.
    expect(cut).toBeGreaterThan(0);

    await services.waitForSettled(LEADS, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- service logs ---\n${services!.logs().slice(-4000)}`);
    });
    const clay = await expectEachDeliveredOnce(services, ids);
    const resent = await interruptedSends(services, ids);
    // Only a send cut off mid-way may reach Clay twice.
    expect(clay.duplicatedLeads.filter((id) => !resent.includes(id))).toEqual([]);
    console.log(
      `PostgreSQL cut ${CUTS} times (${cut} connections): ${resent.length} interrupted sends ` +
        `sent again; ${describeClayFigures(clay)}`,
    );
  }, 90_000);
});
