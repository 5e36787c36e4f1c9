/**
 * Every view in Chromium, reached from the navigation as a person would: each
 * loads without a console error (a CSP violation is one) or an uncaught
 * error, and is photographed at 1280×800 under .test-output/screenshots/.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { VIEWS } from "../../src/ui/layout.js";
import { type Harness, lead } from "../server/server-harness.js";
import { openPage, screenshot } from "./browser-kit.js";
import { logIn, startDashboard } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

let harness: Harness;

describeBrowser("every view from the navigation", (browser) => {
  beforeAll(async () => {
    harness = await startDashboard();
    const sent = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
    for (const { id } of sent.body.accepted) await harness.waitForLead(id);
    harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    const dying = await harness.request("POST", "/v1/leads", [lead(4), lead(5)]);
    for (const { id } of dying.body.accepted) await harness.waitForLead(id);
    harness.emulator.control.clearFaults();
  });
  afterAll(() => harness.close());

  it("loads each one without an error, and photographs it", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    for (const [name, href] of VIEWS) {
      const [answer] = await Promise.all([
        page.waitForResponse(`${harness.url}${href}`),
        page.click(`nav a[href="${href}"]`),
      ]);
      expect(answer.status(), name).toBe(200);
      await page.waitForURL(`${harness.url}${href}`);
      expect(await page.getAttribute("a[aria-current=page]", "href"), name).toBe(href);
      // The doctor's report loads after the page: wait for it, as a person would.
      if (name === "doctor") await page.waitForSelector('[data-test="doctor-line"]');
      await screenshot(page, name);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
