/**
 * Logging in to the dashboard in Chromium, through the form: a wrong key is
 * refused on the form, the right one lands on the overview.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { API_KEY, type Harness } from "../server/server-harness.js";
import { openPage } from "./browser-kit.js";
import { startDashboard, submitLogin } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

let harness: Harness;

describeBrowser("logging in through the form", (browser) => {
  beforeAll(async () => {
    harness = await startDashboard();
  });
  afterAll(() => harness.close());

  it("refuses a wrong key on the form and lands on the overview with the right one", async () => {
    const { page, errors } = await openPage(browser());
    await submitLogin(page, harness.url, "not-one-of-the-keys-000");
    expect(page.url()).toBe(`${harness.url}/ui/login`);
    expect(await page.textContent('[role="alert"]')).toContain("not one of this server's keys");

    await submitLogin(page, harness.url, API_KEY);
    await page.waitForURL(`${harness.url}/ui`);
    expect(await page.textContent("h1")).toBe("Overview");
    expect(await page.textContent(".role")).toBe("admin");
    // The wrong key's 401 is the one error a browser logs here.
    expect(errors.filter((error) => !error.includes("401"))).toEqual([]);
    await page.context().close();
  });
});
