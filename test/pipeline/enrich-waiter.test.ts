/** The enrich waiter: resolves on the lead's result (its own or, for a duplicate, the original's), rejects on DLQ and timeout. */
import { afterEach, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { createEnrichWaiter } from "../../src/pipeline/enrich-waiter.js";
import { createInboxStep } from "../../src/pipeline/inbox-step.js";
import { settle } from "../clay/manual-clock.js";
import { clayBody, createFixture, type Fixture } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<ClaypipeError> {
  const thrown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ClaypipeError);
  return thrown as ClaypipeError;
}

describe("enrich waiter", () => {
  it("resolves when the callback is processed, for the lead and for its waiting duplicate", async () => {
    fixture = await createFixture();
    const original = await fixture.awaiting({ email: "ada@acme.com" });
    const duplicate = await fixture.admit({ email: "ada@acme.com" });
    const waiter = createEnrichWaiter(fixture.ctx);
    const forOriginal = waiter.waitFor(original.id, { timeoutMs: 60_000 });
    const forDuplicate = waiter.waitFor(duplicate.id, { timeoutMs: 60_000 });
    await settle();

    await fixture.store.inbox.append([
      {
        leadId: original.id,
        attempt: 1,
        body: clayBody(original),
        receivedAt: fixture.clock.now(),
      },
    ]);
    await createInboxStep(fixture.ctx)(never);

    const row = await forOriginal;
    expect(row).toMatchObject({ claypipe_id: original.id, title: "VP Engineering" });
    expect(row).not.toHaveProperty("callback_url");
    expect(await forDuplicate).toEqual(row);
    expect(fixture.ctx.events.listenerCount("enriched")).toBe(0);
    expect(fixture.clock.pending).toBe(0);
  });

  it("resolves at once with a result already stored", async () => {
    fixture = await createFixture();
    const lead = await fixture.enriched({ icp_score: 42 });
    const row = await createEnrichWaiter(fixture.ctx).waitFor(lead.id, { timeoutMs: 1 });
    expect(row.icp_score).toBe(42);
  });

  it("times out with the lead's state, what it means, and where to follow it", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    let done = false;
    const waiting = createEnrichWaiter(fixture.ctx)
      .waitFor(lead.id, { timeoutMs: 5_000 })
      .finally(() => {
        done = true;
      });
    const outcome = failure(waiting);
    await settle();
    await fixture.clock.advance(4_999);
    expect(done).toBe(false);
    await fixture.clock.advance(1);
    const error = await outcome;
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("awaiting_callback");
    expect(error.message).toContain("has not called back yet");
    expect(error.hint).toContain("claypipe status");
    expect(error.hint).toContain(`/v1/leads/${lead.id}`);
    expect(fixture.ctx.events.listenerCount("enriched")).toBe(0);
  });

  it("rejects when the lead goes to the DLQ, or is there already", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    const waiter = createEnrichWaiter(fixture.ctx);
    const waiting = waiter.waitFor(lead.id, { timeoutMs: 60_000 });
    await settle();
    await fixture.store.leads.transition(lead.id, "awaiting_callback", "dead", {
      reason: "no_callback",
    });
    fixture.ctx.events.emit("dead", lead.id, "no_callback");
    const error = await failure(waiting);
    expect(error.message).toContain("no_callback");
    expect(error.hint).toContain(`dlq replay --id ${lead.id}`);

    const again = await failure(waiter.waitFor(lead.id, { timeoutMs: 60_000 }));
    expect(again.message).toContain("no_callback");
    expect(fixture.clock.pending).toBe(0);
  });

  it("rejects for an unknown lead and when the caller aborts", async () => {
    fixture = await createFixture();
    const waiter = createEnrichWaiter(fixture.ctx);
    expect((await failure(waiter.waitFor("no-such-lead", { timeoutMs: 1_000 }))).code).toBe(
      "input_invalid",
    );

    const lead = await fixture.awaiting();
    const stop = new AbortController();
    const waiting = waiter.waitFor(lead.id, { timeoutMs: 60_000, signal: stop.signal });
    stop.abort();
    expect((await failure(waiting)).code).toBe("aborted");
    expect(fixture.ctx.events.listenerCount("dead")).toBe(0);
  });
});
