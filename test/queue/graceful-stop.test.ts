/**
 * A worker asked to stop (SIGTERM → pipeline.stop) stops taking jobs, lets
 * the sends in flight finish within queue.shutdownGrace, and hands back what
 * is still going after it; another worker finishes every lead, once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type QueueRig, startQueueRig, TABLE_ID } from "./queue-rig.js";

let rig: QueueRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const leads = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({ email: `${tag}${i}@stop.example` }));

async function untilSending(rig: QueueRig, ids: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (((await rig.states(ids)).sending ?? 0) === 0) {
    if (Date.now() > deadline) throw new Error("no lead started sending");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("stopping a queue worker", () => {
  it("lets its sends in flight finish, and leaves the rest in the queue for another worker", async () => {
    rig = await startQueueRig({ config: { sender: { concurrency: 2 } } });
    rig.emulator.control.setFaults({ webhookLatencyMs: 800 });
    const first = await rig.startWorker();
    const ids = (await rig.api.submit(leads(8, "finish"))).accepted.map((lead) => lead.id);
    await untilSending(rig, ids);

    await first.stop();
    const afterStop = await rig.states(ids);
    expect(afterStop.sending ?? 0).toBe(0);
    // It stopped taking jobs: some leads are still waiting for a worker.
    expect(afterStop.queued ?? 0).toBeGreaterThan(0);

    rig.emulator.control.clearFaults();
    await rig.startWorker();
    const views = await rig.waitForAll(ids);
    expect(views.map((view) => view.lead.state)).toEqual(Array(8).fill("delivered"));
    expect(rig.emulator.control.rows(TABLE_ID)).toHaveLength(8);
    expect(rig.sinkRecords()).toHaveLength(8);
  });

  it("hands sends still going after the grace back to the queue, where another worker takes them over", async () => {
    rig = await startQueueRig({
      config: { sender: { concurrency: 2 } },
      queue: { shutdownGrace: "200ms" },
    });
    rig.emulator.control.setFaults({ webhookLatencyMs: 5000 });
    const first = await rig.startWorker();
    const ids = (await rig.api.submit(leads(4, "handback"))).accepted.map((lead) => lead.id);
    await untilSending(rig, ids);

    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(4000);
    expect((await rig.states(ids)).sending ?? 0).toBeGreaterThan(0);

    rig.emulator.control.clearFaults();
    await rig.startWorker();
    const views = await rig.waitForAll(ids);
    expect(views.map((view) => view.lead.state)).toEqual(Array(4).fill("delivered"));
    const takenOver = views.filter((view) =>
      view.history.some((event) => event.reason?.startsWith("interrupted send taken over")),
    );
    expect(takenOver.length).toBeGreaterThan(0);
    // Each result reaches the sink once, whatever Clay saw of the cut-off sends.
    expect(rig.sinkRecords()).toHaveLength(4);
  });
});
