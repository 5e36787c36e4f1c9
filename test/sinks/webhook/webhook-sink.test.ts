import { afterEach, describe, expect, it } from "vitest";
import { webhookSinkSchema } from "../../../src/config/sink-schema.js";
import { ClaypipeError } from "../../../src/core/errors.js";
import type { Sink, SinkRecord, SinkResult } from "../../../src/sinks/sink.js";
import { createStandardWebhooks } from "../../../src/sinks/webhook/standard-webhooks.js";
import { createWebhookSink } from "../../../src/sinks/webhook/webhook-sink.js";
import { ManualClock, settle } from "../../clay/manual-clock.js";
import { sinkContract } from "../sink-contract.js";
import { type Answer, type Receiver, startReceiver } from "./webhook-sink-receiver.js";

const SECRET = `whsec_${Buffer.from("a test secret of thirty-two bytes").toString("base64")}`;

function record(n: number, row: Record<string, unknown> = {}): SinkRecord {
  return {
    leadId: `0190aaaa-0000-7000-8000-${String(n).padStart(12, "0")}`,
    identityKey: `email:person${n}@acme.com`,
    row: { email: `person${n}@acme.com`, icp_score: 80 + n, ...row },
    source: "web-form",
    route: "hot",
    enrichedAt: "2024-05-01T10:00:00.000Z",
  };
}

let receiver: Receiver | undefined;
let sink: Sink | undefined;

afterEach(async () => {
  await sink?.close();
  await receiver?.close();
  sink = undefined;
  receiver = undefined;
});

async function setUp(
  answer?: (request: unknown, index: number) => Answer,
  options: { ratePerSecond?: number; timeout?: number } = {},
) {
  receiver = await startReceiver(answer);
  const clock = new ManualClock();
  const config = webhookSinkSchema.parse({
    name: "crm-hook",
    type: "webhook",
    url: receiver.url,
    secret: SECRET,
    ratePerSecond: options.ratePerSecond ?? 100,
    timeout: options.timeout ?? 5000,
  });
  sink = createWebhookSink(config, { clock });
  return { receiver, sink, clock };
}

const signal = () => new AbortController().signal;

async function deliverOne(target: Sink, item: SinkRecord): Promise<SinkResult> {
  const [result] = await target.deliver([item], signal());
  return result!;
}

const contractReceivers: Receiver[] = [];

async function contractSink(status: number) {
  const receiver = await startReceiver(() => ({ status }));
  contractReceivers.push(receiver);
  const sink = createWebhookSink(
    webhookSinkSchema.parse({
      name: "crm-hook",
      type: "webhook",
      url: receiver.url,
      secret: SECRET,
      ratePerSecond: 100,
    }),
  );
  return { receiver, sink };
}

// The receiver keeps one event per webhook-id, as Standard Webhooks asks receivers to.
sinkContract("webhook sink", {
  keyedOn: "lead",
  async open() {
    const { receiver, sink } = await contractSink(200);
    const arrived = async () => {
      const events = new Map<string, string>();
      for (const request of receiver.requests) {
        const body = JSON.parse(request.body) as { data: { row: { email: string } } };
        events.set(String(request.headers["webhook-id"]), body.data.row.email);
      }
      return [...events.values()];
    };
    return { sink, arrived };
  },
  async failing(kind) {
    return (await contractSink(kind === "retryable" ? 503 : 400)).sink;
  },
  async cleanUp() {
    await Promise.all(contractReceivers.splice(0).map((receiver) => receiver.close()));
  },
});

describe("webhook sink", () => {
  it("POSTs one signed lead.enriched event per record", async () => {
    const { receiver, sink, clock } = await setUp();
    const item = record(1, {
      callback_url: "https://claypipe.example/v1/callbacks/clay/secret-token",
    });
    expect(sink.maxBatch).toBe(1);
    expect(await deliverOne(sink, item)).toEqual({ ok: true });

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/hooks/claypipe");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-id"]).toBe(`msg_${item.leadId}`);
    expect(request.headers["webhook-timestamp"]).toBe(String(Math.floor(clock.now() / 1000)));
    const verified = createStandardWebhooks(SECRET).verify(request.body, request.headers, {
      now: clock.now(),
    });
    expect(verified).toEqual({ ok: true });
    expect(JSON.parse(request.body)).toEqual({
      type: "lead.enriched",
      timestamp: item.enrichedAt,
      data: {
        claypipe_id: item.leadId,
        identity: item.identityKey,
        source: "web-form",
        route: "hot",
        enriched_at: item.enrichedAt,
        row: { email: "person1@acme.com", icp_score: 81 },
      },
    });
  });

  it("takes claypipe's own fields from claypipe only: a row's claypipe_id, identity, source or route never reach data.row", async () => {
    const { receiver, sink } = await setUp();
    const item = record(3, {
      claypipe_id: "0190ffff-0000-7000-8000-000000000000",
      identity: "email:someone-else@evil.example",
      source: "forged",
      route: "forged",
      enriched_at: "1999-01-01T00:00:00.000Z",
    });
    expect(await deliverOne(sink, item)).toEqual({ ok: true });
    const { data } = JSON.parse(receiver.requests[0]!.body);
    expect(data).toMatchObject({
      claypipe_id: item.leadId,
      identity: item.identityKey,
      source: "web-form",
      route: "hot",
      enriched_at: item.enrichedAt,
    });
    expect(data.row).toEqual({ email: "person3@acme.com", icp_score: 83 });
  });

  it("keeps the webhook-id across retries, so a deduping receiver stores the lead once", async () => {
    const { receiver, sink, clock } = await setUp((_request, index) =>
      index === 0 ? { status: 503 } : { status: 200 },
    );
    const item = record(2);
    const first = await deliverOne(sink, item);
    expect(first).toMatchObject({ ok: false, retryable: true });
    await clock.advance(5000);
    expect(await deliverOne(sink, item)).toEqual({ ok: true });
    expect(await deliverOne(sink, item)).toEqual({ ok: true });

    const ids = receiver.requests.map((request) => request.headers["webhook-id"]);
    expect(ids).toEqual([`msg_${item.leadId}`, `msg_${item.leadId}`, `msg_${item.leadId}`]);
    expect(new Set(ids).size).toBe(1);
    // A retry is a new attempt: a new timestamp, still a valid signature.
    expect(receiver.requests[1]!.headers["webhook-timestamp"]).not.toBe(
      receiver.requests[0]!.headers["webhook-timestamp"],
    );
    const webhooks = createStandardWebhooks(SECRET);
    for (const request of receiver.requests.slice(1)) {
      expect(webhooks.verify(request.body, request.headers, { now: clock.now() })).toEqual({
        ok: true,
      });
    }
  });

  it("classifies passing failures as retryable and the rest as final, with the status", async () => {
    const statuses = [408, 409, 425, 500, 502, 504, 400, 401, 403, 404, 410, 413, 418, 422, 501];
    const { sink } = await setUp((_request, index) => ({ status: statuses[index]! }));
    const results: Record<number, SinkResult> = {};
    for (const [index, status] of statuses.entries()) {
      results[status] = await deliverOne(sink, record(index));
    }
    for (const status of [408, 409, 425, 500, 502, 504]) {
      expect(results[status], String(status)).toMatchObject({ ok: false, retryable: true });
    }
    for (const status of [400, 401, 403, 404, 410, 413, 418, 422, 501]) {
      expect(results[status], String(status)).toMatchObject({ ok: false, retryable: false });
      expect((results[status] as { reason: string }).reason).toContain(String(status));
    }
    expect((results[401] as { reason: string }).reason).toMatch(/secret/);
  });

  it("never follows a redirect: it is final and names the fix", async () => {
    const { receiver, sink } = await setUp(() => ({
      status: 301,
      headers: { location: "/elsewhere" },
    }));
    const result = await deliverOne(sink, record(3));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect((result as { reason: string }).reason).toMatch(/redirect \(301\).*url/);
    expect(receiver.requests.map((request) => request.path)).toEqual(["/hooks/claypipe"]);
  });

  it("honours Retry-After on 429 and holds back until it has passed", async () => {
    const { receiver, sink, clock } = await setUp((_request, index) =>
      index === 0 ? { status: 429, headers: { "retry-after": "7" } } : { status: 200 },
    );
    expect(await deliverOne(sink, record(4))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
    });
    await clock.advance(2000);
    const held = await deliverOne(sink, record(5));
    expect(held).toMatchObject({ ok: false, retryable: true, retryAfterMs: 5000 });
    expect(receiver.requests).toHaveLength(1);
    await clock.advance(5000);
    expect(await deliverOne(sink, record(5))).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(2);
  });

  it("honours Retry-After given as an HTTP date on 503", async () => {
    let retryAt = "";
    const { sink, clock } = await setUp(() => ({
      status: 503,
      headers: { "retry-after": retryAt },
    }));
    retryAt = new Date(clock.now() + 30_000).toUTCString();
    expect(await deliverOne(sink, record(6))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 30_000,
    });
  });

  it("reports a receiver that is down or too slow as retryable", async () => {
    const { receiver, sink } = await setUp(() => "hang", { timeout: 100 });
    const slow = await deliverOne(sink, record(7));
    expect(slow).toMatchObject({ ok: false, retryable: true });
    expect((slow as { reason: string }).reason).toMatch(/did not answer within 100ms/);
    await receiver.close();
    const down = await deliverOne(sink, record(8));
    expect(down).toMatchObject({ ok: false, retryable: true });
    expect((down as { reason: string }).reason).toMatch(
      /could not reach the receiver \(ECONNREFUSED\)/,
    );
  });

  it("paces itself at ratePerSecond", async () => {
    const { receiver, sink, clock } = await setUp(undefined, { ratePerSecond: 2 });
    const first = sink.deliver([record(10)], signal());
    const second = sink.deliver([record(11)], signal());
    const third = sink.deliver([record(12)], signal());
    await Promise.all([first, second]);
    await settle();
    expect(receiver.requests).toHaveLength(2);
    expect(clock.pending).toBe(1);
    await clock.advance(499);
    expect(receiver.requests).toHaveLength(2);
    await clock.advance(1);
    expect(await third).toEqual([{ ok: true }]);
    expect(receiver.requests).toHaveLength(3);
  });

  it("rejects when the caller aborts while it waits for its rate", async () => {
    const { receiver, sink } = await setUp(undefined, { ratePerSecond: 1 });
    await sink.deliver([record(20)], signal());
    const controller = new AbortController();
    const waiting = sink.deliver([record(21)], controller.signal);
    await settle();
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
    expect(receiver.requests).toHaveLength(1);
  });

  it("closes cleanly: a waiting delivery ends retryable and nothing is sent after", async () => {
    const { receiver, sink } = await setUp(undefined, { ratePerSecond: 1 });
    await sink.deliver([record(30)], signal());
    const waiting = sink.deliver([record(31)], signal());
    await settle();
    await sink.close();
    expect(await waiting).toMatchObject([{ ok: false, retryable: true }]);
    expect(await sink.deliver([record(32)], signal())).toMatchObject([
      { ok: false, retryable: true },
    ]);
    expect(receiver.requests).toHaveLength(1);
  });

  it("refuses a secret that is not a Standard Webhooks secret", () => {
    const config = webhookSinkSchema.parse({
      name: "bad",
      type: "webhook",
      url: "http://127.0.0.1:1/",
      secret: "hunter2",
    });
    expect(() => createWebhookSink(config)).toThrow(ClaypipeError);
  });
});
