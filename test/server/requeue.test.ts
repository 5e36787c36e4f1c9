/** POST /v1/leads/requeue: waiting leads go back to the outbox now; a credit cap still holds them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, lead, startHarness } from "./server-harness.js";

let harness: Harness;
let held: string[];

beforeAll(async () => {
  harness = await startHarness({
    workspace: {
      costEstimate: { actions: 1, data: 0 },
      credits: { daily: { actions: 1 } },
    },
  });
  const answer = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
  expect(answer.status).toBe(202);
  const ids: string[] = answer.body.accepted.map((entry: { id: string }) => entry.id);
  const views = await Promise.all(
    ids.map((id) => harness.waitForLead(id, (view) => view.lead.state !== "queued")),
  );
  held = views.filter((view) => view.lead.state === "deferred").map((view) => view.lead.id);
  expect(held).toHaveLength(2);
});
afterAll(() => harness.close());

describe("POST /v1/leads/requeue", () => {
  it("requeues the leads a filter picks; the send checks the cap again and defers them once more", async () => {
    const none = await harness.request("POST", "/v1/leads/requeue", { reason: "no_capacity" });
    expect(none).toMatchObject({ status: 200, body: { requeued: 0 } });
    const answer = await harness.request("POST", "/v1/leads/requeue", {
      reason: "credit_cap",
      table: "leads",
    });
    expect(answer).toMatchObject({ status: 200, body: { requeued: 2 } });
    for (const id of held) {
      const view = await harness.waitForLead(
        id,
        (current) =>
          current.lead.state === "deferred" &&
          current.history.some((event) => event.reason?.startsWith("requeued by a person")),
      );
      expect(view.lead.reason).toMatch(/^credit cap workspace:ws day/);
    }
  });

  it("answers 400 for a bad filter and 422 for a table the config does not have", async () => {
    const bad = await harness.request("POST", "/v1/leads/requeue", { state: "dead" });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((issue: { path: string }) => issue.path)).toEqual(["state"]);
    const unknown = await harness.request("POST", "/v1/leads/requeue", { table: "nope" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toContain('no table "nope"');
    for (const body of [null, [], "deferred", 1]) {
      const notAFilter = await harness.request("POST", "/v1/leads/requeue", body);
      expect(notAFilter.status, JSON.stringify(body)).toBe(400);
    }
  });
});
