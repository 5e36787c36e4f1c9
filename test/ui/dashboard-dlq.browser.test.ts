/**
 * The DLQ in Chromium as a person uses it: filter the dead leads by source,
 * replay everything the filter matches (after the browser's confirm dialog)
 * and see exactly those leads move, the same replay again moving none; purge
 * only after a page that counts what it would delete and asks to confirm.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lead } from "../server/server-harness.js";
import { openPage, screenshot } from "./browser-kit.js";
import { logIn, startDashboard } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

let harness: Harness;
const dead: Record<"web" | "api", string[]> = { web: [], api: [] };

async function stateOf(id: string): Promise<string | undefined> {
  return (await harness.pipeline.getLead(id))?.lead.state;
}

/** The DLQ filtered by `source`, from the navigation and the filter form. */
async function filterBySource(page: Page, source: string): Promise<void> {
  await page.click('nav a[href="/ui/dlq"]');
  await page.fill('form.filters input[name="source"]', source);
  await page.click('form.filters button[type="submit"]');
  await page.waitForURL(new RegExp(`/ui/dlq\\?.*source=${source}`));
}

describeBrowser("the DLQ's replay and purge", (browser) => {
  beforeAll(async () => {
    harness = await startDashboard();
    // Clay refuses every row: two leads from each source die.
    harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    for (const source of ["web", "api"] as const) {
      const n = source === "web" ? 1 : 3;
      const sent = await harness.request("POST", `/v1/leads?source=${source}`, [
        lead(n),
        lead(n + 1),
      ]);
      for (const { id } of sent.body.accepted) {
        await harness.waitForLead(id);
        dead[source].push(id);
      }
    }
    harness.emulator.control.clearFaults();
  });
  afterAll(() => harness.close());

  it("replays every lead a filter matches, and only those; the same replay again moves none", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    await filterBySource(page, "web");
    expect(await page.locator('[data-test="dlq-row"]').count()).toBe(2);
    await screenshot(page, "dlq-filtered");

    // The browser asks first; saying no sends nothing.
    page.once("dialog", (dialog) => dialog.dismiss());
    await page.click('[data-test="replay-filter"]');
    expect(await page.locator('[data-test="flash"]').count()).toBe(0);
    for (const id of dead.web) expect(await stateOf(id)).toBe("dead");

    page.once("dialog", (dialog) => dialog.accept());
    await page.click('[data-test="replay-filter"]');
    await page.waitForSelector('[data-test="flash"]');
    expect(await page.textContent('[data-test="flash"]')).toContain("Replayed 2 leads");
    for (const id of dead.web)
      await harness.waitForLead(id, (view) => view.lead.state === "delivered");
    for (const id of dead.api) expect(await stateOf(id)).toBe("dead");

    page.once("dialog", (dialog) => dialog.accept());
    await page.click('[data-test="replay-filter"]');
    await page.waitForURL(/n=0/);
    expect(await page.textContent('[data-test="flash"]')).toContain("Replayed 0 dead leads");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("purges only after a page that counts the matching leads and asks to confirm", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    await filterBySource(page, "api");
    await page.click('[data-test="purge"]');
    await page.waitForURL(/\/ui\/dlq\/purge\?/);
    expect(await page.textContent('[data-test="purge-count"]')).toContain("2 dead leads match");
    await screenshot(page, "dlq-purge");
    for (const id of dead.api) expect(await stateOf(id)).toBe("dead");

    await page.click("text=Cancel");
    await page.waitForURL(/\/ui\/dlq\?/);
    expect(await page.locator('[data-test="dlq-row"]').count()).toBe(2);

    await page.click('[data-test="purge"]');
    await page.click('[data-test="purge-confirm"]');
    await page.waitForSelector('[data-test="flash"]');
    expect(await page.textContent('[data-test="flash"]')).toContain("Purged 2 leads");
    for (const id of dead.api) expect(await stateOf(id)).toBeUndefined();
    for (const id of dead.web) expect(await stateOf(id)).toBe("delivered");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
