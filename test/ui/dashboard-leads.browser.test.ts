/**
 * Finding a lead in Chromium as a person would: search the Leads view by
 * email, open the lead, and read its timeline from received to delivered.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lead } from "../server/server-harness.js";
import { openPage, screenshot } from "./browser-kit.js";
import { logIn, startDashboard } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

let harness: Harness;
let leadId: string;

describeBrowser("searching the leads", (browser) => {
  beforeAll(async () => {
    harness = await startDashboard();
    const sent = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
    for (const { id } of sent.body.accepted) await harness.waitForLead(id);
    leadId = sent.body.accepted[1].id;
  });
  afterAll(() => harness.close());

  it("finds a lead by email and reads its timeline", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    await page.click('nav a[href="/ui/leads"]');
    await page.fill('form[role="search"] input[name="q"]', "lead2@example.com");
    await page.click('form[role="search"] button[type="submit"]');
    await page.waitForURL(/\/ui\/leads\?q=lead2%40example\.com/);
    const rows = page.locator('[data-test="lead-row"]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("lead2@example.com");

    await rows.first().locator("a").click();
    await page.waitForURL(`${harness.url}/ui/leads/${leadId}`);
    const transitions = await page.locator('[data-test="transition"]').allTextContents();
    expect(transitions[0]).toContain("received");
    expect(transitions.at(-1)).toContain("delivered");
    // The send names its webhook; the callback is a step of its own.
    expect(transitions.join("\n")).toMatch(/awaiting callback.*webhook #0/);
    expect(transitions.join("\n")).toContain("callback received");
    const deliveries = await page.locator('[data-test="delivery"]').allTextContents();
    expect(deliveries).toEqual([expect.stringMatching(/delivery to out.*delivered/)]);
    expect(await page.locator('[data-test="result"]').count()).toBeGreaterThan(0);
    await screenshot(page, "lead");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
