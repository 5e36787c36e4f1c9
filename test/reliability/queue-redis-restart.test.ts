/**
 * Redis goes away mid-run for two seconds and comes back on the same port and
 * data directory; the claypipe processes are not restarted: they reconnect by
 * themselves, and every lead ends delivered, in the sink once.
 *
 * - With an append-only file (fsync every second), a clean stop (SIGTERM)
 *   keeps every job; a kill -9 may lose the last second of queue writes.
 * - Without persistence Redis comes back empty. The store is the outbox: the
 *   feeders feed the leads again once their feed lease ends (two lockDurations
 *   here, see feedLeaseMs), and sends cut off mid-way are recovered once their
 *   sendLease ends (5 s here; 15 min by default).
 *
 * The at-least-once window: a lead whose send was cut off (its job lost, or
 * its send lease run out) is sent again, and reaches Clay twice if the first
 * send got there. Only such leads may; their rows and credits are printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OwnRedisServer } from "../clay/fixtures/redis-server.js";
import { describeClayFigures, expectEachDeliveredOnce, interruptedSends } from "./queue-checks.js";
import { type QueueServices, startQueueServices } from "./queue-services.js";

const LEADS = 300;
const CONCURRENCY = 8;

let services: QueueServices | undefined;
let redis: OwnRedisServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await services?.close();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  services = undefined;
  redis = undefined;
  dataDir = undefined;
});

type Outage = "stop" | "kill";

async function runThroughOutage(
  label: string,
  outage: Outage,
  options: { persistent: boolean; queue?: Record<string, string | number> },
) {
  dataDir = mkdtempSync(join(tmpdir(), "claypipe-redis-aof-"));
  redis = await OwnRedisServer.start(options.persistent ? { appendOnlyDir: dataDir } : {});
  services = await startQueueServices({
    rateLimit: { perSecond: 100, burst: 50 },
    concurrency: CONCURRENCY,
    webhookLatencyMs: 100,
    redisUrl: redis.url,
    ...(options.queue ? { queue: options.queue } : {}),
  });
  await Promise.all([services.startWorker(), services.startWorker()]);
  const ids = await services.submit(LEADS, label);
  expect(ids).toHaveLength(LEADS);

  const { emulator } = services;
  while (emulator.control.snapshot().workspaces[0]!.tables[0]!.rowCount < 60) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await (outage === "stop" ? redis.stop() : redis.kill());
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await redis.resume();

  await services.waitForSettled(LEADS, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n--- service logs ---\n${services!.logs().slice(-4000)}`);
  });
  const clay = await expectEachDeliveredOnce(services, ids);
  const resent = await interruptedSends(services, ids);
  // Only a send cut off mid-way may reach Clay twice.
  expect(clay.duplicatedLeads.filter((id) => !resent.includes(id))).toEqual([]);
  console.log(
    `Redis ${label}: ${resent.length} interrupted sends sent again; ${describeClayFigures(clay)}`,
  );
  return clay;
}

describe("Redis restarts mid-run", () => {
  it("with its append-only file, stopped cleanly: nothing lost, no claypipe restart", async () => {
    await runThroughOutage("aof-stop", "stop", { persistent: true });
  }, 90_000);

  it("with its append-only file, killed -9: nothing lost, no claypipe restart", async () => {
    await runThroughOutage("aof-kill", "kill", { persistent: true });
  }, 90_000);

  it("without persistence, losing every job: the outbox feeds them again", async () => {
    await runThroughOutage("empty", "kill", {
      persistent: false,
      queue: { sendLease: "5s" },
    });
  }, 120_000);
});
