/** The routing step with the real compiled router, the real SQLite store and the real file sink. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClaypipeConfig, ClaypipeConfigInput } from "../../src/config/schema.js";
import { createDeliveryStep } from "../../src/pipeline/delivery-step.js";
import { createIntakeService } from "../../src/pipeline/intake-service.js";
import {
  createRoutingStep,
  ROUTED_SKIPPED_AVAILABLE_AT,
  SETTLE_RECHECK_MS,
} from "../../src/pipeline/routing-step.js";
import { createFileSink } from "../../src/sinks/file/file-sink.js";
import { createFixture, type Fixture, RecordingSink } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

function withFileSink(routes: ClaypipeConfigInput["routes"]) {
  return (dir: string): Partial<ClaypipeConfigInput> => ({
    sinks: [{ type: "file", name: "hot_file", path: join(dir, "hot.jsonl") }],
    routes,
  });
}

const fileSinks = (config: ClaypipeConfig) =>
  config.sinks.flatMap((sink) => (sink.type === "file" ? [createFileSink(sink)] : []));

describe("routing step", () => {
  it("schedules the matching route's sinks, marks the lead routed, and the file gets the record", async () => {
    fixture = await createFixture(
      withFileSink({ rules: [{ name: "hot", when: "icp_score >= 80", to: ["hot_file"] }] }),
      fileSinks,
    );
    const lead = await fixture.enriched({ icp_score: 91 });
    const delivered: string[] = [];
    fixture.ctx.events.on("delivered", (id) => delivered.push(id));

    const route = createRoutingStep(fixture.ctx);
    expect(await route(never)).toBe(1);
    const routed = await fixture.store.leads.get(lead.id);
    expect(routed).toMatchObject({
      state: "enriched",
      routes: ["hot"],
      availableAt: fixture.clock.now() + SETTLE_RECHECK_MS,
    });
    expect(await fixture.store.deliveries.forLead(lead.id)).toMatchObject([
      { sink: "hot_file", route: "hot", state: "pending" },
    ]);
    expect(await route(never)).toBe(0);

    const sink = fixture.ctx.sinks.get("hot_file")!;
    expect(await createDeliveryStep(fixture.ctx, sink)(never)).toBe(1);
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("delivered");
    expect(delivered).toEqual([lead.id]);
    const lines = (await readFile(join(fixture.dir, "hot.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      claypipe_id: lead.id,
      route: "hot",
      source: "api",
      icp_score: 91,
      title: "VP Engineering",
    });
    expect(lines[0]).not.toContain("callback_url");
  });

  it("finishes on its recheck a lead whose deliveries settled just before a crash", async () => {
    fixture = await createFixture(
      withFileSink({ rules: [{ name: "hot", when: "icp_score >= 80", to: ["hot_file"] }] }),
      fileSinks,
    );
    const lead = await fixture.enriched({ icp_score: 91 });
    const route = createRoutingStep(fixture.ctx);
    await route(never);
    // The sink answered and the delivery was recorded, then the process died
    // before the lead's own move: only the recheck can finish it.
    await fixture.store.deliveries.markDelivered(lead.id, "hot_file", fixture.clock.now());
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");
    expect(await route(never)).toBe(0);

    await fixture.clock.advance(SETTLE_RECHECK_MS);
    expect(await route(never)).toBe(1);
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "delivered",
      reason: "delivered to hot_file",
    });
  });

  it("routes again, never delivers, a routed lead whose deliveries are missing from the store", async () => {
    fixture = await createFixture(
      withFileSink({ rules: [{ name: "hot", when: "icp_score >= 80", to: ["hot_file"] }] }),
      fileSinks,
    );
    const lead = await fixture.enriched({ icp_score: 91 });
    // Marked routed with no delivery written: the store lost them, or a bug skipped them.
    await fixture.store.leads.transition(
      lead.id,
      "enriched",
      "enriched",
      { routes: ["hot"] },
      fixture.clock.now(),
    );
    const route = createRoutingStep(fixture.ctx);
    await route(never);
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({ state: "enriched", routes: [] });

    await route(never);
    const sink = fixture.ctx.sinks.get("hot_file")!;
    expect(await createDeliveryStep(fixture.ctx, sink)(never)).toBe(1);
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "delivered",
      reason: "delivered to hot_file",
    });
    const lines = (await readFile(join(fixture.dir, "hot.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).claypipe_id)).toEqual([lead.id]);
  });

  it("delivers at once a lead that no rule sends anywhere", async () => {
    fixture = await createFixture(
      withFileSink({ rules: [{ name: "hot", when: "icp_score >= 80", to: ["hot_file"] }] }),
      fileSinks,
    );
    const lead = await fixture.enriched({ icp_score: 10 });
    const delivered: string[] = [];
    fixture.ctx.events.on("delivered", (id) => delivered.push(id));

    await createRoutingStep(fixture.ctx)(never);
    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "delivered",
      reason: "no route matched",
      routes: [],
    });
    expect(await fixture.store.deliveries.forLead(lead.id)).toEqual([]);
    expect(delivered).toEqual([lead.id]);
  });

  it("fans out to every matching rule and the default catches the rest, each sink once", async () => {
    const crm = new RecordingSink("crm");
    const slack = new RecordingSink("slack");
    const archive = new RecordingSink("archive");
    fixture = await createFixture(
      {
        routes: {
          mode: "all",
          rules: [
            { name: "hot", when: "icp_score >= 80", to: ["crm", "slack"] },
            { name: "vp", when: "title contains 'vp'", to: ["crm"] },
          ],
          default: ["archive"],
        },
      },
      [crm, slack, archive],
    );
    const hot = await fixture.enriched({ icp_score: 95 });
    const cold = await fixture.enriched({ icp_score: 5, title: "Intern" });

    expect(await createRoutingStep(fixture.ctx)(never)).toBe(2);
    expect((await fixture.store.leads.get(hot.id))?.routes).toEqual(["hot", "vp"]);
    expect((await fixture.store.deliveries.forLead(hot.id)).map((d) => [d.sink, d.route])).toEqual([
      ["crm", "hot"],
      ["slack", "hot"],
    ]);
    expect((await fixture.store.leads.get(cold.id))?.routes).toEqual(["default"]);
    expect((await fixture.store.deliveries.forLead(cold.id)).map((d) => d.sink)).toEqual([
      "archive",
    ]);
  });
});

describe("routing step: leads a pre-send rule skipped", () => {
  const NO_FREE_MAIL = [{ name: "no_free_mail", when: 'email_domain != "gmail.com"' }];

  /** Two file sinks: `kept_out` for skipped leads (when a route takes them), `everything` as the default. */
  function skippedConfig(rules: NonNullable<ClaypipeConfigInput["routes"]>["rules"]) {
    return (dir: string): Partial<ClaypipeConfigInput> => ({
      sinks: [
        { type: "file", name: "kept_out", path: join(dir, "kept-out.jsonl") },
        { type: "file", name: "everything", path: join(dir, "everything.jsonl") },
      ],
      enrichIf: NO_FREE_MAIL,
      routes: { rules, default: ["everything"] },
    });
  }

  async function submitSkipped(): Promise<string> {
    const intake = createIntakeService(fixture.ctx);
    const { accepted } = await intake.submit([{ email: "ada@gmail.com", first_name: "Ada" }]);
    expect(accepted[0]!.state).toBe("skipped");
    return accepted[0]!.id;
  }

  it("delivers a skipped lead's fields and skipped_by to on: [skipped] routes only; it stays skipped", async () => {
    fixture = await createFixture(
      skippedConfig([
        { name: "hot", when: "true", to: ["everything"] },
        {
          name: "free_mail",
          when: 'skipped_by == "no_free_mail"',
          to: ["kept_out"],
          on: ["skipped"],
        },
      ]),
      fileSinks,
    );
    const id = await submitSkipped();
    const route = createRoutingStep(fixture.ctx);
    expect(await route(never)).toBe(1);
    expect(await fixture.store.leads.get(id)).toMatchObject({
      state: "skipped",
      routes: ["free_mail"],
      reason: 'skipped by enrichIf rule "no_free_mail"; routed to kept_out',
      availableAt: ROUTED_SKIPPED_AVAILABLE_AT,
    });
    expect(await fixture.store.deliveries.forLead(id)).toMatchObject([
      { sink: "kept_out", route: "free_mail", state: "pending" },
    ]);
    expect(await route(never)).toBe(0);

    const deliver = (name: string) => createDeliveryStep(fixture.ctx, fixture.ctx.sinks.get(name)!);
    expect(await deliver("everything")(never)).toBe(0);
    expect(await deliver("kept_out")(never)).toBe(1);
    const lines = (await readFile(join(fixture.dir, "kept-out.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      claypipe_id: id,
      route: "free_mail",
      email: "ada@gmail.com",
      first_name: "Ada",
      skipped_by: "no_free_mail",
    });
    expect(await fixture.store.deliveries.forLead(id)).toMatchObject([{ state: "delivered" }]);
    expect((await fixture.store.leads.get(id))?.state).toBe("skipped");
    expect((await fixture.store.leads.history(id)).map((event) => event.to)).toEqual([
      "received",
      "skipped",
      "skipped",
    ]);
  });

  it("leaves skipped leads untouched when no route takes them; the default sinks never get them", async () => {
    fixture = await createFixture(
      skippedConfig([{ name: "hot", when: "true", to: ["everything"] }]),
      fileSinks,
    );
    const id = await submitSkipped();
    const before = await fixture.store.leads.get(id);
    expect(await createRoutingStep(fixture.ctx)(never)).toBe(0);
    expect(await fixture.store.leads.get(id)).toEqual(before);
    expect(await fixture.store.leads.history(id)).toHaveLength(2);
    expect(await fixture.store.deliveries.forLead(id)).toEqual([]);
  });
});
