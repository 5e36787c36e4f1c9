/**
 * The sender against the real emulator: rate, retries, faults, webhook rotation,
 * table capacity and refusals, checked on both sides of the wire.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/clay/breaker/circuit-breaker.js";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { LocalRateLimiter } from "../../src/clay/rate-limit/local-rate-limiter.js";
import { MAX_ROW_BYTES } from "../../src/clay/row-payload.js";
import { type ClaySender, createClaySender, type SendOutcome } from "../../src/clay/sender.js";
import { configSchema } from "../../src/config/schema.js";
import { systemClock } from "../../src/core/clock.js";
import type { Lead } from "../../src/core/lead.js";
import { type EmulatorWebhookSpec, startEmulator } from "../../src/emulator/index.js";
import { MemoryCapacityCounters } from "../../src/store/memory/memory-capacity-counters.js";

const SECRET = "k".repeat(32);
const CALLBACK_BASE = "https://claypipe.example.com/";
// Clay's own figures: the unused quarter of the burst (5 tokens, 500 ms at this rate) covers the
// time from taking a token to the request reaching Clay on a loaded machine; 20/s with a burst of
// 10 left 150 ms, and a full run saw a 429.
const RATE = { perSecond: 10, burst: 20 };

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

interface Setup {
  rowLimit?: number;
  capacityMargin?: number;
  webhooks?: Array<EmulatorWebhookSpec & { configToken?: string }>;
  sender?: Record<string, unknown>;
  callbacks?: boolean;
}

async function setup(options: Setup = {}) {
  const webhooks = options.webhooks ?? [{}];
  const emulator = await startEmulator({
    workspaces: [
      {
        id: "ws",
        rateLimit: RATE,
        tables: [
          {
            id: "t_leads",
            rowLimit: options.rowLimit,
            autoRun: false,
            webhooks: webhooks.map(({ configToken: _, ...spec }) => spec),
          },
        ],
      },
    ],
  });
  running.push(emulator);
  const config = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "ws",
          rateLimit: RATE,
          tables: [
            {
              name: "leads",
              rowLimit: options.rowLimit,
              capacityMargin: options.capacityMargin ?? 0,
              webhooks: webhooks.map((webhook, index) => ({
                url: emulator.webhookUrl("t_leads", index),
                authToken: webhook.configToken ?? webhook.authToken,
                submissionLimit: webhook.submissionLimit,
              })),
            },
          ],
        },
      ],
    },
    sender: { initialBackoff: 50, maxBackoff: 200, ...options.sender },
  });
  const workspace = config.clay.workspaces[0]!;
  const signer = createCallbackSigner({ secrets: [SECRET], ttlMs: 60_000 });
  const counters = new MemoryCapacityCounters();
  const limiter = new LocalRateLimiter({
    rateLimit: workspace.rateLimit,
    burstHeadroom: config.sender.burstHeadroom,
  });
  const sender = createClaySender({
    workspace,
    sender: config.sender,
    callbacks: options.callbacks === false ? undefined : { baseUrl: CALLBACK_BASE, signer },
    limiter,
    counters,
  });
  const snapshot = () => {
    const ws = emulator.control.snapshot().workspaces[0]!;
    return { requests: ws.requests, table: ws.tables[0]! };
  };
  return { emulator, sender, signer, counters, snapshot };
}

const lead = (index: number): Lead => ({
  email: `person${index}@example.com`,
  first_name: `P${index}`,
});

/** Sends `count` leads, `concurrency` at a time, as the direct tier does. */
async function sendAll(sender: ClaySender, count: number, concurrency = 4, from = 0) {
  const outcomes: SendOutcome[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      outcomes[index] = await sender.send({
        lead: lead(from + index),
        claypipeId: `id-${from + index}`,
        table: "leads",
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

describe("sender against the emulator", () => {
  it("sends every row under the workspace rate, without a single 429", async () => {
    const { emulator, sender, signer, snapshot } = await setup();
    const outcomes = await sendAll(sender, 40);
    expect(outcomes.every((outcome) => outcome.status === "sent" && outcome.attempts === 1)).toBe(
      true,
    );
    expect(snapshot().requests).toEqual({ accepted: 40, rateLimited: 0, rejected: 0, faulted: 0 });

    const rows = emulator.control.rows("t_leads");
    expect(rows).toHaveLength(40);
    for (const row of rows) {
      const { claypipe_id, callback_url = "", email } = row.fields as Record<string, string>;
      expect(email).toMatch(/^person\d+@example\.com$/);
      const token = callback_url.replace("https://claypipe.example.com/v1/callbacks/clay/", "");
      expect(signer.verify(token)).toMatchObject({ ok: true, leadId: claypipe_id, attempt: 1 });
    }
  });

  it("rides out a 429 storm and every row ends sent", async () => {
    const { emulator, sender, snapshot } = await setup();
    emulator.control.setFaults({ rateLimitStorm: { durationMs: 1_200, retryAfterSeconds: 1 } });
    const outcomes = await sendAll(sender, 20);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(new Array(20).fill("sent"));
    expect(outcomes.some((outcome) => outcome.status === "sent" && outcome.attempts > 1)).toBe(
      true,
    );
    expect(snapshot().requests.faulted).toBeGreaterThan(0);
    expect(snapshot().requests.accepted).toBe(20);
    expect(emulator.control.rows("t_leads")).toHaveLength(20);
  });

  it("rides out a short outage and every row ends sent", async () => {
    const { emulator, sender, snapshot } = await setup();
    emulator.control.setFaults({ outage: { durationMs: 800 } });
    const outcomes = await sendAll(sender, 10);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(new Array(10).fill("sent"));
    expect(snapshot().requests.faulted).toBeGreaterThan(0);
    expect(snapshot().requests.accepted).toBe(10);
  });

  it("gives up after maxAttempts on errors that do not pass", async () => {
    const { emulator, sender } = await setup({
      sender: { maxAttempts: 3, initialBackoff: 10, maxBackoff: 20 },
    });
    emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 502 });
    const outcome = await sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(outcome).toEqual({
      status: "failed",
      attempts: 3,
      reason: expect.stringMatching(/3 tries.*502/),
      reachedClay: true,
    });
  });

  it("retries a request Clay does not answer in time", async () => {
    const { emulator, sender } = await setup({ sender: { maxAttempts: 2, requestTimeout: 100 } });
    emulator.control.setFaults({ webhookLatencyMs: 400 });
    const outcome = await sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(outcome).toMatchObject({
      status: "failed",
      attempts: 2,
      reason: expect.stringMatching(/requestTimeout/),
    });
  });

  it("moves to the next webhook at the submission cap less the margin", async () => {
    const { emulator, sender, snapshot } = await setup({
      capacityMargin: 1,
      webhooks: [{ submissionLimit: 5 }, { submissionLimit: 5 }],
    });
    const outcomes = await sendAll(sender, 9, 1);
    expect(
      outcomes.map((outcome) =>
        outcome.status === "sent" ? outcome.webhookIndex : outcome.status,
      ),
    ).toEqual([0, 0, 0, 0, 1, 1, 1, 1, "no_capacity"]);
    const last = outcomes[8]!;
    expect(last.status === "no_capacity" && last.reason).toMatch(/add a new webhook source/);
    expect(snapshot().table.webhooks.map((webhook) => webhook.submissions)).toEqual([4, 4]);
    expect(snapshot().requests.rejected).toBe(0);
    expect(emulator.control.rows("t_leads")).toHaveLength(8);
  });

  it("stops before the table fills, so Clay drops nothing", async () => {
    const { sender, snapshot } = await setup({ rowLimit: 5, capacityMargin: 1 });
    const outcomes = await sendAll(sender, 7, 2);
    expect(outcomes.filter((outcome) => outcome.status === "sent")).toHaveLength(4);
    const refused = outcomes.filter((outcome) => outcome.status === "no_capacity");
    expect(refused).toHaveLength(3);
    expect(refused[0]!.status === "no_capacity" && refused[0]!.reason).toMatch(
      /table "leads".*new table/,
    );
    expect(snapshot().table.rowCount).toBe(4);
    expect(snapshot().table.droppedAtRowLimit).toBe(0);
  });

  it("refuses an oversized row before any request, and counts nothing", async () => {
    const { sender, snapshot, counters } = await setup();
    const outcome = await sender.send({
      lead: { email: "big@example.com", notes: "x".repeat(MAX_ROW_BYTES) },
      claypipeId: "id-big",
      table: "leads",
    });
    expect(outcome).toMatchObject({ status: "refused", code: "payload_too_large" });
    expect(outcome.status === "refused" && outcome.reason).toMatch(/notes \(100\.\d KB\)/);
    expect(snapshot().requests).toEqual({ accepted: 0, rateLimited: 0, rejected: 0, faulted: 0 });
    expect((await sender.capacity("leads")).table.used).toBe(0);
    expect(await counters.get("table:ws/leads")).toBe(0);
  });

  it("sends the webhook auth token; a wrong one takes the webhook out of the pool, counted nothing", async () => {
    const good = await setup({ webhooks: [{ authToken: "right-token" }], callbacks: false });
    expect(
      await good.sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" }),
    ).toMatchObject({
      status: "sent",
    });
    expect(good.emulator.control.rows("t_leads")[0]!.fields).toEqual({
      email: "person1@example.com",
      first_name: "P1",
      claypipe_id: "id-1",
    });

    const bad = await setup({
      webhooks: [{ authToken: "right-token", configToken: "wrong-token" }],
    });
    const outcome = await bad.sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(outcome).toEqual({
      status: "no_capacity",
      reason: expect.stringMatching(/no usable webhook source.*fix its url or authToken/),
    });
    expect(bad.snapshot().requests.rejected).toBe(1);
    expect((await bad.sender.capacity("leads")).table.used).toBe(0);
    // Out of the pool for this process: the next row is not posted to it again.
    expect(
      await bad.sender.send({ lead: lead(2), claypipeId: "id-2", table: "leads" }),
    ).toMatchObject({ status: "no_capacity" });
    expect(bad.snapshot().requests.rejected).toBe(1);
  });

  it("stops at once when aborted, while waiting for Clay or for the limiter", async () => {
    const { emulator, sender } = await setup();
    emulator.control.setFaults({ webhookLatencyMs: 5_000 });
    const inFlight = sender.send(
      { lead: lead(1), claypipeId: "id-1", table: "leads" },
      AbortSignal.timeout(100),
    );
    await expect(inFlight).rejects.toMatchObject({ name: "TimeoutError" });

    emulator.control.clearFaults();
    const abort = new AbortController();
    const waiting = sendAll(sender, 30, 30);
    const late = sender.send({ lead: lead(99), claypipeId: "id-99", table: "leads" }, abort.signal);
    abort.abort(new Error("shutting down"));
    await expect(late).rejects.toThrow("shutting down");
    await waiting;
  });

  it("gives the reservation back when no try reached Clay, and says where it could not connect", async () => {
    const { emulator, sender, counters } = await setup({
      sender: { maxAttempts: 3, initialBackoff: 10, maxBackoff: 20 },
    });
    const port = new URL(emulator.webhookUrl("t_leads", 0)).port;
    running.splice(running.indexOf(emulator), 1);
    await emulator.close();
    const outcome = await sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(outcome).toEqual({
      status: "failed",
      attempts: 3,
      reason: `cannot reach Clay at 127.0.0.1:${port}: connection refused (gave up after 3 tries)`,
      reachedClay: false,
    });
    expect(await counters.get("table:ws/leads")).toBe(0);
    const capacity = await sender.capacity("leads");
    expect(capacity.webhooks.map((webhook) => webhook.used)).toEqual([0]);
  });

  it("gives the reservation back when aborted between tries that never reached Clay", async () => {
    const { emulator, counters } = await setup();
    const config = configSchema.parse({
      clay: {
        workspaces: [
          {
            name: "ws",
            rateLimit: RATE,
            tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_leads", 0) }] }],
          },
        ],
      },
      sender: { maxAttempts: 8, initialBackoff: 60_000, maxBackoff: 60_000 },
    });
    let firstTryDone: () => void = () => {};
    const tried = new Promise<void>((resolve) => {
      firstTryDone = resolve;
    });
    const sender = createClaySender({
      workspace: config.clay.workspaces[0]!,
      sender: config.sender,
      limiter: new LocalRateLimiter({ rateLimit: RATE, burstHeadroom: 1 }),
      counters,
      // Only watches: says when the first try has come back.
      tryGate: { allow: async () => ({ allowed: true }), record: async () => firstTryDone() },
    });
    running.splice(running.indexOf(emulator), 1);
    await emulator.close();
    const abort = new AbortController();
    const sending = sender.send(
      { lead: lead(1), claypipeId: "id-1", table: "leads" },
      abort.signal,
    );
    await tried;
    expect(await counters.get("table:ws/leads")).toBe(1);
    // Now in the minute's wait before the second try.
    abort.abort(new Error("stopped"));
    await expect(sending).rejects.toThrow("stopped");
    expect(await counters.get("table:ws/leads")).toBe(0);
  });

  it("keeps counting a row whose request timed out: Clay may have taken it", async () => {
    const { emulator, sender, counters } = await setup({
      sender: { maxAttempts: 2, requestTimeout: 100 },
    });
    emulator.control.setFaults({ webhookLatencyMs: 400 });
    const outcome = await sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(outcome).toMatchObject({ status: "failed", reachedClay: true });
    expect(await counters.get("table:ws/leads")).toBe(1);
  });

  it("stops a row's tries as soon as its try gate (the direct tier's breaker) opens", async () => {
    const { emulator, counters } = await setup();
    const config = configSchema.parse({
      clay: {
        workspaces: [
          {
            name: "ws",
            rateLimit: RATE,
            tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t_leads", 0) }] }],
          },
        ],
      },
      sender: { maxAttempts: 8, initialBackoff: 10, maxBackoff: 20 },
      breaker: { minRequests: 2, failureRate: 0.5 },
    });
    const workspace = config.clay.workspaces[0]!;
    const sender = createClaySender({
      workspace,
      sender: config.sender,
      limiter: new LocalRateLimiter({ rateLimit: RATE, burstHeadroom: 1 }),
      counters,
      tryGate: new CircuitBreaker({ config: config.breaker, clock: systemClock, workspace: "ws" }),
    });
    running.splice(running.indexOf(emulator), 1);
    await emulator.close();
    const first = await sender.send({ lead: lead(1), claypipeId: "id-1", table: "leads" });
    expect(first).toMatchObject({ status: "failed", attempts: 2, reachedClay: false });
    expect(first.status === "failed" && first.reason).toMatch(/connection refused$/);
    const next = await sender.send({ lead: lead(2), claypipeId: "id-2", table: "leads" });
    expect(next).toMatchObject({
      status: "failed",
      attempts: 0,
      reachedClay: false,
      gateClosed: true,
      reason: expect.stringMatching(/^cannot reach Clay at 127\.0\.0\.1:\d+: connection refused$/),
    });
    expect(await counters.get("table:ws/leads")).toBe(0);
  });

  it("names the tables it knows when asked for another", async () => {
    const { sender } = await setup();
    await expect(sender.send({ lead: lead(1), claypipeId: "id-1", table: "nope" })).rejects.toThrow(
      /no table "nope"/,
    );
  });
});
