/**
 * The dashboard's defences in Chromium: a lead whose fields carry a
 * `<script>` or an `<img onerror>` shows them as text and runs nothing on
 * any page that shows it, and an action posted from a dashboard page without
 * the session's CSRF token is refused and changes nothing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lead } from "../server/server-harness.js";
import { openPage } from "./browser-kit.js";
import { logIn, startDashboard } from "./dashboard-kit.js";
import { describeBrowser } from "./describe-browser.js";

/** Each payload sets this flag on the window if it ever runs. */
const SCRIPT = "<script>globalThis.claypipeInjected = 'script'</script>";
const IMAGE = "<img src=x onerror=\"globalThis.claypipeInjected = 'img'\">";
const SVG = '"><svg onload="globalThis.claypipeInjected = \'svg\'">';

let harness: Harness;
let injectedId: string;
let deferredId: string;

describeBrowser("injected markup and forged actions", (browser) => {
  beforeAll(async () => {
    // One credit a day, a credit a lead: once a lead is enriched, the next waits for the cap.
    harness = await startDashboard({
      workspace: { costEstimate: { actions: 1, data: 0 }, credits: { daily: { actions: 1 } } },
    });
    const fields = { first_name: SCRIPT, last_name: IMAGE, company: SVG };
    // Clay refuses the row (spending no credit): the lead dies, so the DLQ shows it.
    harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    const dead = await harness.request("POST", "/v1/leads", [lead(1, fields)]);
    injectedId = dead.body.accepted[0].id;
    await harness.waitForLead(injectedId);
    harness.emulator.control.clearFaults();
    const spent = await harness.request("POST", "/v1/leads", [lead(2)]);
    await harness.waitForLead(spent.body.accepted[0].id);
    // The cap is spent: this one is deferred, so the Waiting view shows it.
    const held = await harness.request("POST", "/v1/leads", [lead(3, fields)]);
    deferredId = held.body.accepted[0].id;
    await harness.waitForLead(deferredId, (view) => view.lead.state === "deferred");
  });
  afterAll(() => harness.close());

  it("shows a lead's markup as text and runs none of it, on every page that shows the lead", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    const search = `/ui/leads?field=first_name&contains=${encodeURIComponent(SCRIPT)}`;
    const pages = [
      search,
      `/ui/leads/${injectedId}`,
      "/ui/dlq",
      "/ui/waiting",
      `/ui/leads/${deferredId}`,
    ];
    for (const path of pages) {
      const answer = await page.goto(`${harness.url}${path}`);
      expect(answer?.status(), path).toBe(200);
      expect(await page.evaluate(() => "claypipeInjected" in globalThis), path).toBe(false);
      expect(await page.locator("main script, main img, main svg").count(), path).toBe(0);
      if (path === search) {
        // The list shows emails; the search box shows what was searched for, as typed.
        expect(await page.locator('[data-test="lead-row"]').count()).toBe(2);
        expect(await page.inputValue('input[name="contains"]')).toBe(SCRIPT);
        continue;
      }
      const text = (await page.locator("main").textContent()) ?? "";
      for (const payload of [SCRIPT, IMAGE, SVG]) expect(text, path).toContain(payload);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("refuses an action posted from a page without the CSRF token, and changes nothing", async () => {
    const { page, errors } = await openPage(browser());
    await logIn(page, harness.url);
    await page.click('nav a[href="/ui/dlq"]');
    const status = await page.evaluate(async (id) => {
      const body = new URLSearchParams({ scope: "ids", ids: id });
      return (await fetch("/ui/dlq/replay", { method: "POST", body })).status;
    }, injectedId);
    expect(status).toBe(403);
    expect((await harness.pipeline.getLead(injectedId))?.lead.state).toBe("dead");
    // The refused fetch is the one error the console shows.
    expect(errors).toEqual([expect.stringContaining("403")]);
    await page.context().close();
  });
});
