/**
 * The overview in Chromium while leads flow: its figures follow the pipeline
 * over server-sent events without a reload, and uPlot draws both charts.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lead } from "../server/server-harness.js";
import { colouredPixels, openPage, screenshot } from "./browser-kit.js";
import { logIn, startDashboard } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

let harness: Harness;

async function deliver(leads: Array<Record<string, unknown>>): Promise<void> {
  const sent = await harness.request("POST", "/v1/leads", leads);
  for (const { id } of sent.body.accepted) await harness.waitForLead(id);
}

describeBrowser("the live overview", (browser) => {
  beforeAll(async () => {
    harness = await startDashboard();
    await deliver([lead(1), lead(2), lead(3)]);
  });
  afterAll(() => harness.close());

  it("updates its figures while leads flow, without reloading the page", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    const delivered = page.locator('[data-test="state-delivered"]');
    expect(await delivered.textContent()).toBe("3");
    // A reload would make a new window object and lose this mark.
    await page.evaluate(() => Object.assign(globalThis, { claypipeNoReload: true }));

    await deliver([lead(4), lead(5), lead(6), lead(7)]);
    await expect.poll(() => delivered.textContent(), { timeout: 10_000 }).toBe("7");
    expect(await page.evaluate(() => "claypipeNoReload" in globalThis)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("draws both charts", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    // The rates chart needs two samples: the stream brings more every 200 ms.
    for (const chart of ["#chart-states", "#chart-rates"]) {
      await expect.poll(() => colouredPixels(page, chart), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    await screenshot(page, "overview");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
