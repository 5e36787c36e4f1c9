/** The callback receiver on the real SQLite store: token checks, durable accept, already-done, group commit. */
import { afterEach, describe, expect, it } from "vitest";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { newLeadId } from "../../src/core/ids.js";
import { createCallbackReceiver } from "../../src/pipeline/callback-receiver.js";
import { createInboxStep } from "../../src/pipeline/inbox-step.js";
import type { PipelineContext } from "../../src/pipeline/pipeline-context.js";
import type { CallbackInbox } from "../../src/store/store.js";
import { unclaimedCallbacks } from "../store/unclaimed-callbacks.js";
import { clayBody, createFixture, type Fixture } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

describe("callback receiver", () => {
  it("refuses malformed, forged, tampered and expired tokens with 401 and writes nothing", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    const receiver = createCallbackReceiver(fixture.ctx);
    const body = clayBody(lead);

    expect(await receiver.receive("not-a-token", body)).toEqual({
      status: 401,
      reason: "malformed",
    });

    const otherSigner = createCallbackSigner({
      secrets: ["x".repeat(40)],
      ttlMs: 3_600_000,
      clock: fixture.clock,
    });
    const forged = otherSigner.sign({ leadId: lead.id, attempt: 1 });
    expect(await receiver.receive(forged, body)).toEqual({ status: 401, reason: "bad_signature" });

    const [payload, signature] = fixture.token(lead.id).split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, a: 7 })).toString("base64url")}.${signature}`;
    expect(await receiver.receive(tampered, body)).toEqual({
      status: 401,
      reason: "bad_signature",
    });

    const token = fixture.token(lead.id);
    await fixture.clock.advance(3_600_001);
    expect(await receiver.receive(token, body)).toEqual({ status: 401, reason: "expired" });

    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toEqual([]);
    await receiver.close();
  });

  it("answers 404 for a validly signed token of a lead it does not have", async () => {
    fixture = await createFixture();
    const receiver = createCallbackReceiver(fixture.ctx);
    const answer = await receiver.receive(fixture.token(newLeadId()), { claypipe_id: "x" });
    expect(answer).toEqual({ status: 404, reason: "unknown_lead" });
    await receiver.close();
  });

  it("refuses a body that is not a JSON object", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    const receiver = createCallbackReceiver(fixture.ctx);
    for (const body of [null, [1, 2], "row", 3]) {
      const failure = await receiver.receive(fixture.token(lead.id), body).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ClaypipeError);
      expect((failure as ClaypipeError).code).toBe("input_invalid");
    }
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toEqual([]);
    await receiver.close();
  });

  it("accepts only once the callback is in the inbox, then answers already_done and writes nothing", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    const receiver = createCallbackReceiver(fixture.ctx);
    let wakes = 0;
    receiver.onAccepted(() => wakes++);

    const answer = await receiver.receive(fixture.token(lead.id), clayBody(lead));
    expect(answer).toEqual({ status: 200, outcome: "accepted" });
    const pending = await unclaimedCallbacks(fixture.store, fixture.clock.now());
    expect(pending.map((entry) => [entry.leadId, entry.attempt])).toEqual([[lead.id, 1]]);
    expect(wakes).toBe(1);

    expect(await createInboxStep(fixture.ctx)(never)).toBe(1);
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");

    const again = await receiver.receive(
      fixture.token(lead.id),
      clayBody(lead, { title: "changed" }),
    );
    expect(again).toEqual({ status: 200, outcome: "already_done" });
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toEqual([]);
    expect((await fixture.store.leads.get(lead.id))?.result?.title).toBe("VP Engineering");
    await receiver.close();
  });

  it("accepts a callback of an earlier attempt: it is a result Clay charged for", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting({}, { attempt: 2 });
    const receiver = createCallbackReceiver(fixture.ctx);
    const answer = await receiver.receive(fixture.token(lead.id, 1), clayBody(lead));
    expect(answer).toEqual({ status: 200, outcome: "accepted" });
    await createInboxStep(fixture.ctx)(never);
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");
    await receiver.close();
  });

  it("groups 200 concurrent callbacks into far fewer commits", async () => {
    fixture = await createFixture();
    // One admission for all 200 (a lead needs only to exist without a result to be called back).
    const leads = Array.from({ length: 200 }, (_, i) => {
      const email = `lead${i}@example.com`;
      return { id: newLeadId(), email, fields: { email } };
    });
    await fixture.store.leads.admit(
      leads.map(({ id, email, fields }) => ({
        id,
        source: "api",
        workspace: "main",
        table: "leads",
        identityKey: `email:${email}`,
        fields,
        priority: 0,
      })),
      { dedupeSince: 0, now: fixture.clock.now() },
    );
    let flushes = 0;
    const inbox = fixture.store.inbox;
    const countingInbox: CallbackInbox = {
      append: (callbacks) => inbox.append(callbacks),
      appendAwaited: (callbacks) => {
        flushes += 1;
        return inbox.appendAwaited(callbacks);
      },
      claim: (limit, leaseMs, now) => inbox.claim(limit, leaseMs, now),
      release: (ids) => inbox.release(ids),
      markProcessed: (ids) => inbox.markProcessed(ids),
      totalReceived: () => inbox.totalReceived(),
    };
    const ctx: PipelineContext = {
      ...fixture.ctx,
      store: { ...fixture.store, inbox: countingInbox },
    };
    const receiver = createCallbackReceiver(ctx);

    const answers = await Promise.all(
      leads.map(({ id, fields }) =>
        receiver.receive(fixture.token(id), { ...fields, claypipe_id: id }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200 && answer.outcome === "accepted")).toBe(
      true,
    );
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toHaveLength(200);
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThanOrEqual(20);
    await receiver.close();
  });

  it("commits what is pending on close, then refuses new callbacks", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    const receiver = createCallbackReceiver(fixture.ctx, { maxWaitMs: 50 });
    const answer = receiver.receive(fixture.token(lead.id), clayBody(lead));
    await new Promise((resolve) => setImmediate(resolve));
    await receiver.close();
    expect(await answer).toEqual({ status: 200, outcome: "accepted" });
    const late = await receiver
      .receive(fixture.token(lead.id), clayBody(lead))
      .catch((e: unknown) => e);
    expect((late as ClaypipeError).code).toBe("state_unavailable");
  });
});
