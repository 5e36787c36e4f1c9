/**
 * The queue tier end to end on real PostgreSQL, Redis and HTTP: an API
 * process that only takes leads in, workers that send them, Clay's callbacks,
 * routing to a sink, and the DLQ after the last failed send.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SENDS } from "../../src/pipeline/lead-send.js";
import { type QueueRig, startQueueRig, TABLE_ID } from "./queue-rig.js";

let rig: QueueRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const leads = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({ email: `${tag}${i}@queue.example`, company: "Q" }));

describe("the queue tier", () => {
  it("takes leads in through the API process and delivers each once through two workers", async () => {
    rig = await startQueueRig();
    await rig.startWorker();
    await rig.startWorker();
    const submitted = await rig.api.submit(leads(60, "split"));
    expect(submitted.accepted).toHaveLength(60);
    const ids = submitted.accepted.map((lead) => lead.id);

    const views = await rig.waitForAll(ids);
    expect(views.every((view) => view.lead.state === "delivered")).toBe(true);
    const delivered = rig.sinkRecords().map((record) => record.claypipe_id);
    expect(new Set(delivered)).toEqual(new Set(ids));
    expect(delivered).toHaveLength(60);
    expect(rig.emulator.control.rows(TABLE_ID)).toHaveLength(60);
    expect(rig.emulator.control.snapshot().workspaces[0]!.requests.rateLimited).toBe(0);
  });

  it("sends nothing from an API-only process: leads wait in the queue for a worker", async () => {
    rig = await startQueueRig();
    const { accepted } = await rig.api.submit(leads(5, "waiting"));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const { id } of accepted) expect((await rig.api.getLead(id))!.lead.state).toBe("queued");
    expect(rig.emulator.control.rows(TABLE_ID)).toHaveLength(0);
    // They wait as jobs in the workspace's queue, which status and /metrics show.
    expect((await rig.api.status()).queues).toEqual([
      { workspace: "ws", waiting: 5, active: 0, delayed: 0 },
    ]);
    const metrics = await (
      await fetch(`http://127.0.0.1:${rig.config.server.port}/metrics`)
    ).text();
    expect(metrics).toContain('claypipe_queue_jobs{workspace="ws",state="waiting"} 5');

    await rig.startWorker();
    const views = await rig.waitForAll(accepted.map((lead) => lead.id));
    expect(views.map((view) => view.lead.state)).toEqual(Array(5).fill("delivered"));
  });

  it("retries failed sends with backoff, then puts the lead in claypipe's DLQ with its history", async () => {
    rig = await startQueueRig({
      config: {
        sender: { maxAttempts: 1, initialBackoff: 10, maxBackoff: 50 },
        breaker: { minRequests: 1000 },
      },
    });
    rig.emulator.control.setFaults({ webhookErrorRate: 1 });
    await rig.startWorker();
    const { accepted } = await rig.api.submit(leads(3, "failing"));
    const views = await rig.waitForAll(accepted.map((lead) => lead.id));
    for (const view of views) {
      expect(view.lead).toMatchObject({ state: "dead", reason: "send_failed", attempt: MAX_SENDS });
      const moves = view.history.map((event) => event.to);
      expect(moves.filter((to) => to === "retrying")).toHaveLength(MAX_SENDS - 1);
    }
    expect((await rig.api.deadLetters.list({})).leads).toHaveLength(3);
  });
});
