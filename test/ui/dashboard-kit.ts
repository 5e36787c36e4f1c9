/**
 * The dashboard as a person meets it: a real standard-tier claypipe service
 * (SQLite store, the Clay emulator calling back, a file sink; see
 * test/server/server-harness.ts) with its dashboard, and a browser page that
 * logs in through the login form.
 */
import type { Page } from "playwright-core";
import {
  API_KEY,
  type Harness,
  type HarnessOptions,
  startHarness,
} from "../server/server-harness.js";

/** How often the live overview reads the status while watched: often, so tests wait little. */
const LIVE_EVERY_MS = 200;

export function startDashboard(options: HarnessOptions = {}): Promise<Harness> {
  return startHarness({ ...options, dashboard: { liveEveryMs: LIVE_EVERY_MS } });
}

/** Fills the login form with `key` and submits it; the page is where the server sent it. */
export async function submitLogin(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/login`);
  await page.fill("#key", key);
  await Promise.all([page.waitForEvent("load"), page.click('form.login button[type="submit"]')]);
}

/** Logs in with the admin key and waits for the overview. */
export async function logIn(page: Page, baseUrl: string, key = API_KEY): Promise<void> {
  await submitLogin(page, baseUrl, key);
  await page.waitForURL(`${baseUrl}/ui`);
}
