/** The delivery step: retries with back-off, the sink's dead letter, replay through the DLQ, independent sinks. */
import { mkdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClaypipeConfig } from "../../src/config/schema.js";
import { createDeadLetters } from "../../src/pipeline/dead-letters.js";
import { createDeliveryStep, createDeliverySteps } from "../../src/pipeline/delivery-step.js";
import { createRoutingStep } from "../../src/pipeline/routing-step.js";
import { createFileSink } from "../../src/sinks/file/file-sink.js";
import type { Sink, SinkRecord, SinkResult } from "../../src/sinks/sink.js";
import { createFixture, type Fixture, RecordingSink } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

const fileSinks = (config: ClaypipeConfig) =>
  config.sinks.flatMap((sink) => (sink.type === "file" ? [createFileSink(sink)] : []));

/** Answers only when its caller gives up: a sink whose far side hangs. */
class HangingSink implements Sink {
  readonly maxBatch = 10;
  calls = 0;
  constructor(readonly name: string) {}
  deliver(_records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
    this.calls += 1;
    return new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
  async close(): Promise<void> {}
}

async function routedLead(result: Record<string, unknown> = {}) {
  const lead = await fixture.enriched(result);
  await createRoutingStep(fixture.ctx)(never);
  return lead;
}

describe("delivery step", () => {
  it("retries with back-off, dead-letters the delivery, and a DLQ replay delivers it once", async () => {
    fixture = await createFixture(
      (dir) => ({
        sinks: [
          {
            type: "file",
            name: "out",
            path: join(dir, "out.jsonl"),
            maxAttempts: 3,
            initialBackoff: "1s",
            maxBackoff: "10s",
          },
        ],
        routes: { default: ["out"] },
      }),
      fileSinks,
    );
    const path = join(fixture.dir, "out.jsonl");
    // A directory where the file should be: every write fails, as a passing fault would.
    await mkdir(path);
    const lead = await routedLead();
    const step = createDeliveryStep(fixture.ctx, fixture.ctx.sinks.get("out")!);
    const start = fixture.clock.now();

    expect(await step(never)).toBe(1);
    let [delivery] = await fixture.store.deliveries.forLead(lead.id);
    expect(delivery).toMatchObject({ state: "pending", attempts: 1, availableAt: start + 1000 });
    expect(delivery?.lastError).toContain("could not write");
    expect(await step(never)).toBe(0);

    await fixture.clock.advance(1000);
    expect(await step(never)).toBe(1);
    [delivery] = await fixture.store.deliveries.forLead(lead.id);
    expect(delivery).toMatchObject({ state: "pending", attempts: 2, availableAt: start + 3000 });

    await fixture.clock.advance(2000);
    expect(await step(never)).toBe(1);
    [delivery] = await fixture.store.deliveries.forLead(lead.id);
    expect(delivery).toMatchObject({ state: "dead", attempts: 3 });
    const settled = await fixture.store.leads.get(lead.id);
    expect(settled?.state).toBe("delivered");
    expect(settled?.reason).toContain("dead deliveries: out (could not write");

    await rmdir(path);
    const dlq = createDeadLetters(fixture.ctx);
    expect(await dlq.replay({ sink: "out" })).toEqual({ replayed: 1 });
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "enriched",
      routes: ["default"],
    });
    // The routing step does not route a replayed lead again; the delivery step delivers it.
    expect(await createRoutingStep(fixture.ctx)(never)).toBe(1);
    expect(await fixture.store.deliveries.forLead(lead.id)).toMatchObject([
      { state: "pending", attempts: 0 },
    ]);
    expect(await step(never)).toBe(1);
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "delivered",
      reason: "delivered to out",
    });
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).claypipe_id)).toEqual([lead.id]);
    expect(await fixture.store.deliveries.dead("out")).toEqual([]);
  });

  it("waits as long as the sink's Retry-After asks when that is longer than the back-off", async () => {
    const crm = new RecordingSink("crm");
    crm.answer = () => ({
      ok: false,
      retryable: true,
      reason: "rate limited (429)",
      retryAfterMs: 60_000,
    });
    fixture = await createFixture({ routes: { default: ["crm"] } }, [crm]);
    const lead = await routedLead();
    await createDeliveryStep(fixture.ctx, crm)(never);
    expect(await fixture.store.deliveries.forLead(lead.id)).toMatchObject([
      {
        state: "pending",
        attempts: 1,
        availableAt: fixture.clock.now() + 60_000,
        lastError: "rate limited (429)",
      },
    ]);
  });

  it("dead-letters at once what cannot pass, and a sink that throws is retried", async () => {
    const crm = new RecordingSink("crm");
    crm.answer = (record) =>
      record.row.icp_score === 1
        ? { ok: false, retryable: false, reason: "invalid email property" }
        : { ok: true };
    const broken: Sink = {
      name: "broken",
      maxBatch: 10,
      deliver: async () => {
        throw new Error("socket hang up");
      },
      close: async () => {},
    };
    fixture = await createFixture({ routes: { default: ["crm", "broken"] } }, [crm, broken]);
    const bad = await routedLead({ icp_score: 1 });
    const good = await routedLead({ icp_score: 2 });

    for (const { step } of createDeliverySteps(fixture.ctx)) await step(never);
    expect(
      (await fixture.store.deliveries.forLead(bad.id)).map((d) => [d.sink, d.state, d.lastError]),
    ).toEqual([
      ["broken", "pending", "socket hang up"],
      ["crm", "dead", "invalid email property"],
    ]);
    expect((await fixture.store.deliveries.forLead(good.id)).map((d) => [d.sink, d.state])).toEqual(
      [
        ["broken", "pending"],
        ["crm", "delivered"],
      ],
    );
    // Not every delivery is settled: the leads wait for the broken sink.
    expect((await fixture.store.leads.get(good.id))?.state).toBe("enriched");
    expect(crm.received.map((record) => record.leadId).sort()).toEqual([bad.id, good.id].sort());
    const record = crm.received.find((candidate) => candidate.leadId === bad.id)!;
    expect(record).toMatchObject({
      route: "default",
      source: "api",
      identityKey: `email:${bad.id}@example.com`,
    });
    expect(record.row).toMatchObject({ claypipe_id: bad.id, icp_score: 1 });
    expect(record.row).not.toHaveProperty("callback_url");
    expect(Date.parse(record.enrichedAt)).toBe(fixture.clock.now());
  });

  it("keeps delivering to one sink while another hangs", async () => {
    const hanging = new HangingSink("slow_crm");
    const file = new RecordingSink("file");
    fixture = await createFixture({ routes: { default: ["slow_crm", "file"] } }, [hanging, file]);
    const lead = await routedLead();
    const steps = new Map(createDeliverySteps(fixture.ctx).map(({ sink, step }) => [sink, step]));

    const stop = new AbortController();
    const stuck = steps.get("slow_crm")!(stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(hanging.calls).toBe(1);

    expect(await steps.get("file")!(never)).toBe(1);
    expect(file.received.map((record) => record.leadId)).toEqual([lead.id]);

    stop.abort();
    await expect(stuck).rejects.toThrow();
    expect(
      (await fixture.store.deliveries.forLead(lead.id)).map((d) => [d.sink, d.state, d.attempts]),
    ).toEqual([
      ["file", "delivered", 1],
      ["slow_crm", "pending", 0],
    ]);
  });

  it("keeps its lease while a sink call lasts; another worker takes over once it stops renewing", async () => {
    const hanging = new HangingSink("crm");
    const other = new RecordingSink("crm");
    fixture = await createFixture({ routes: { default: ["crm"] } }, [hanging]);
    const lead = await routedLead();
    const leaseMs = 3000;
    const first = createDeliveryStep(fixture.ctx, hanging, { leaseMs });
    const second = createDeliveryStep(fixture.ctx, other, { leaseMs });

    const stop = new AbortController();
    const stuck = first(stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(hanging.calls).toBe(1);
    // Three leases' worth of time: the first worker's renewals keep the delivery its own.
    await fixture.clock.advance(3 * leaseMs);
    expect(await second(never)).toBe(0);

    // The first worker stops (as a killed one would): its last renewal runs out, then the other delivers.
    stop.abort();
    await expect(stuck).rejects.toThrow();
    expect(await second(never)).toBe(0);
    await fixture.clock.advance(leaseMs);
    expect(await second(never)).toBe(1);
    expect(other.received.map((record) => record.leadId)).toEqual([lead.id]);
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("delivered");
  });
});
