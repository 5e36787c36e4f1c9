/** The status read model on the real SQLite store: states, credits against caps, savings, capacity, breakers, DLQ. */
import { afterEach, describe, expect, it } from "vitest";
import { LEAD_STATES } from "../../src/core/lead-state.js";
import { createDeliveryStep } from "../../src/pipeline/delivery-step.js";
import { createInboxStep } from "../../src/pipeline/inbox-step.js";
import { createIntakeService } from "../../src/pipeline/intake-service.js";
import { readStatus } from "../../src/pipeline/read-status.js";
import { createRequeue } from "../../src/pipeline/requeue-leads.js";
import { createRoutingStep } from "../../src/pipeline/routing-step.js";
import { clayBody, createFixture, type Fixture, RecordingSink } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

describe("readStatus", () => {
  it("reports every state, credits per capped window, savings, capacity, breakers and the DLQ", async () => {
    const crm = new RecordingSink("crm");
    crm.answer = () => ({ ok: false, retryable: false, reason: "refused" });
    fixture = await createFixture(
      {
        clay: {
          workspaces: [
            {
              name: "main",
              costEstimate: { actions: 4, data: 10 },
              credits: { daily: { actions: 100 }, monthly: { actions: 2_000, data: 5_000 } },
              tables: [
                {
                  name: "leads",
                  rowLimit: 1_000,
                  capacityMargin: 10,
                  webhooks: [{ url: "http://127.0.0.1:9/a", submissionLimit: 500 }],
                },
              ],
            },
          ],
        },
        sources: [{ name: "api", credits: { daily: { data: 50 } } }, { name: "csv" }],
        routes: { default: ["crm"] },
      },
      [crm],
    );
    const original = await fixture.awaiting({ email: "ada@acme.com" });
    await fixture.admit({ email: "ada@acme.com" });
    await fixture.store.inbox.append([
      {
        leadId: original.id,
        attempt: 1,
        body: clayBody(original),
        receivedAt: fixture.clock.now(),
      },
    ]);
    await createInboxStep(fixture.ctx)(never);
    await fixture.awaiting();
    const dead = await fixture.awaiting();
    await fixture.store.leads.transition(dead.id, "awaiting_callback", "dead", {
      reason: "no_callback",
    });
    await createRoutingStep(fixture.ctx)(never);
    await createDeliveryStep(fixture.ctx, crm)(never);

    const status = await readStatus(fixture.ctx);
    const day = new Date(fixture.clock.now()).toISOString().slice(0, 10);
    const month = day.slice(0, 7);

    expect(status.tier).toBe("standard");
    expect(Object.keys(status.states).sort()).toEqual([...LEAD_STATES].sort());
    expect(status.states).toMatchObject({
      delivered: 2,
      duplicate: 0,
      awaiting_callback: 1,
      dead: 1,
      queued: 0,
    });
    // Three leads reserved 4/10 each (the dead one still holds its reservation); one settled at 4/10.
    expect(status.credits).toEqual([
      {
        scope: "workspace:main",
        window: `day:${day}`,
        limit: { actions: 100 },
        used: { actions: 12, data: 30 },
      },
      {
        scope: "workspace:main",
        window: `month:${month}`,
        limit: { actions: 2_000, data: 5_000 },
        used: { actions: 12, data: 30 },
      },
      {
        scope: "source:api",
        window: `day:${day}`,
        limit: { data: 50 },
        used: { actions: 12, data: 30 },
      },
    ]);
    expect(status.creditsSaved).toEqual({ actions: 4, data: 10 });
    expect(status.capacity).toEqual([
      {
        workspace: "main",
        table: "leads",
        pool: {
          table: { used: 0, limit: 990, remaining: 990 },
          webhooks: [
            expect.objectContaining({
              index: 0,
              used: 0,
              limit: 490,
              remaining: 490,
              retired: false,
            }),
          ],
        },
      },
    ]);
    expect(status.breakers).toEqual([{ workspace: "main", state: "closed" }]);
    expect(status.dlq).toEqual({ leads: 1, deliveries: 2 });
  });

  it("counts the credits the pre-send rules save, apart from dedupe, until a person sends a skipped lead anyway", async () => {
    fixture = await createFixture(
      {
        clay: {
          workspaces: [
            {
              name: "main",
              costEstimate: { actions: 1, data: 2.5 },
              tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/a" }] }],
            },
            {
              name: "second",
              costEstimate: { actions: 3, data: 0.1 },
              tables: [{ name: "people", webhooks: [{ url: "http://127.0.0.1:9/b" }] }],
            },
          ],
        },
        sources: [{ name: "api" }, { name: "csv", table: "second/people" }],
        enrichIf: [{ name: "no_free_mail", when: 'email_domain != "gmail.com"' }],
        routes: { rules: [{ name: "kept", when: "true", to: ["crm"], on: ["skipped"] }] },
      },
      [new RecordingSink("crm")],
    );
    const intake = createIntakeService(fixture.ctx);
    const gmail = (n: number) => ({ email: `p${n}@gmail.com` });
    const fromApi = await intake.submit([gmail(1), gmail(2), { email: "ada@acme.com" }]);
    await intake.submit([gmail(3), gmail(4), gmail(5)], { source: "csv" });
    await createRoutingStep(fixture.ctx)(never);

    const status = await readStatus(fixture.ctx);
    expect(status.states.skipped).toBe(5);
    expect(status.creditsSavedByRules).toEqual({ actions: 2 + 9, data: 5 + 0.3 });
    expect(status.creditsSaved).toEqual({ actions: 0, data: 0 });

    const requeue = createRequeue(fixture.ctx);
    expect(await requeue({ state: "skipped", source: "api" })).toEqual({ requeued: 2 });
    const sentAnyway = await fixture.store.leads.get(fromApi.accepted[0]!.id);
    // Routed as skipped before: its routes go, so its result is routed afresh.
    expect(sentAnyway).toMatchObject({ state: "queued", routes: [] });
    expect((await readStatus(fixture.ctx)).creditsSavedByRules).toEqual({ actions: 9, data: 0.3 });
  });
});
