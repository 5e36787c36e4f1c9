/**
 * The dashboard's Leads view and a lead's page on each tier with a store
 * (standard on SQLite; queue on PostgreSQL and Redis; event on PostgreSQL and
 * NATS), against the Clay emulator: leads submitted, enriched and delivered
 * are found by the search, and a lead's page shows its timeline with the send
 * (and the webhook it used), the callback and the sink delivery.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../temp-dirs.js";
import { login } from "../ui/ui-client.js";
import {
  startService,
  startTierEmulator,
  TABLE_ID,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();
const UI_KEY = "ui-key-lead-page-0123456789";

describe.each(["standard", "queue", "event"] as const)("the lead page on the %s tier", (tier) => {
  it("finds delivered leads and shows each one's send, callback and delivery", async () => {
    const running = await startTierEmulator(cleanup);
    const { pipeline, url } = await startService(cleanup, {
      ...tierSettings(cleanup, tier, `lead_page_${tier}`),
      clay: {
        workspaces: [
          {
            name: "main",
            rateLimit: { perSecond: 100, burst: 50 },
            tables: [
              { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
            ],
          },
        ],
      },
      server: { apiKeys: [UI_KEY] },
      sinks: [{ type: "file", name: "out", path: join(makeTempDir("lead-page"), "out.jsonl") }],
      routes: { default: ["out"] },
      logLevel: "silent",
    });
    const submitted = await pipeline.submit([
      { email: "ada@lead-page.example", company: "Analytical" },
      { email: "alan@lead-page.example", company: "Bletchley" },
    ]);
    const ids = submitted.accepted.map((accepted) => accepted.id);
    await until("both leads delivered", async () => {
      const views = await Promise.all(ids.map((id) => pipeline.getLead(id)));
      return views.every(
        (view) => view?.deliveries.length === 1 && view.deliveries[0]!.state === "delivered",
      );
    });

    const ui = await login(url, UI_KEY);
    const search = await ui.get("/ui/leads?q=ADA%40lead-page.example");
    expect(search.status).toBe(200);
    expect(search.text).toContain(`/ui/leads/${ids[0]}`);
    expect(search.text).not.toContain(`/ui/leads/${ids[1]}`);
    const delivered = await ui.get("/ui/leads?state=delivered&field=company&contains=bletch");
    expect(delivered.text).toContain(`/ui/leads/${ids[1]}`);
    expect(delivered.text).not.toContain(`/ui/leads/${ids[0]}`);

    const lead = await ui.get(`/ui/leads/${ids[0]}`);
    expect(lead.status).toBe(200);
    const timeline = lead.text.slice(lead.text.indexOf('data-test="timeline"'));
    const steps = ["sending", "awaiting callback", "enriched", "delivery to out"];
    const at = steps.map((step) => timeline.indexOf(step));
    expect(at.every((index) => index >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(timeline).toMatch(/sent to table &quot;leads&quot; \(webhook #\d+, send 1\)/);
    expect(timeline).toContain("delivered, 1 attempt");
    expect(lead.text).toContain("ada@lead-page.example");
  });
});
